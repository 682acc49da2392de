"""Passkeys through the real pages and Chromium's own WebAuthn, against the local stack.

The passkey lives in Chromium's virtual authenticator (the DevTools protocol's WebAuthn
domain, reached through a CDP session): a platform authenticator (ctap2, internal) that
keeps discoverable credentials and verifies its user, so the pages run exactly the
ceremonies a phone or a laptop would.
"""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import ACCOUNT_URL, LOGIN_URL, expect_account, log_in


def log_in_with_the_apps_code(page, stack, member):
    log_in(page, stack.site_url, member)
    page.get_by_role("button", name="Use a code instead").click()
    page.get_by_label("Verification code").fill(stack.emulator.totp(member.authy_id)["code"])
    page.get_by_role("button", name="Verify").click()
    expect_account(page, member)


def add_a_passkey(page, name):
    passkeys = page.get_by_role("region", name="Passkeys")
    passkeys.get_by_role("button", name="Add a passkey").click()
    naming = passkeys.get_by_label("Name for the new passkey")
    expect(naming).to_have_value("Chrome on Linux")  # the browser's description, by default
    naming.fill(name)
    passkeys.get_by_role("button", name="Create the passkey").click()
    expect(page.get_by_role("status")).to_contain_text(f'Your passkey "{name}" is added')
    return passkeys


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(LOGIN_URL)


def activity(page):
    return page.locator("#activity-list")


@pytest.mark.allow_console(r"status of 401")
def test_add_a_passkey_log_in_with_it_alone_then_remove_it(page, stack, member, device, shot):
    log_in_with_the_apps_code(page, stack, member)

    passkeys = add_a_passkey(page, "Test laptop")

    item = passkeys.get_by_role("listitem").filter(has_text="Test laptop")
    expect(item).to_contain_text("not used yet")
    expect(activity(page)).to_contain_text("Passkey added")
    (kept,) = device.credentials()
    assert kept["isResidentCredential"] and kept["rpId"] == "localhost"
    handle = base64.b64decode(kept["userHandle"])  # the protocol's binary is base64
    assert member.email.encode() not in handle and len(handle) == 32  # an opaque id
    shot(page, "passkey-added")

    log_out(page)
    page.get_by_role("button", name="Log in with a passkey").click()

    expect_account(page, member)
    expect(page.locator("#account-last-login")).to_contain_text("with a passkey")
    expect(item).to_contain_text(re.compile(r"last used \w{3} \d+, 20\d\d"))
    expect(activity(page)).to_contain_text("Logged in with a passkey")
    assert device.credentials()[0]["signCount"] >= 1  # it signed the login
    shot(page, "logged-in-with-passkey")

    item.get_by_role("button", name="Remove Test laptop").click()

    expect(page.get_by_role("status")).to_contain_text('The passkey "Test laptop" is removed')
    expect(passkeys.get_by_role("listitem")).to_have_count(0)
    expect(activity(page)).to_contain_text("Passkey removed")
    shot(page, "passkey-removed")

    log_out(page)
    page.get_by_role("button", name="Log in with a passkey").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That passkey didn't work here. Try another way to log in."
    )
    expect(page).to_have_url(LOGIN_URL)


def test_after_the_password_the_passkey_comes_first(page, stack, member, device, shot):
    log_in_with_the_apps_code(page, stack, member)
    add_a_passkey(page, "Work laptop")
    log_out(page)
    before = len(stack.emulator.messages(member.authy_id))

    log_in(page, stack.site_url, member)

    heading = page.get_by_role("heading", name="Use your passkey")
    expect(heading).to_be_visible()
    expect(page.get_by_role("button", name="Use a code instead")).to_be_visible()
    expect(page.get_by_role("button", name="Use a recovery code")).to_be_visible()
    shot(page, "passkey-first")
    page.get_by_role("button", name="Use your passkey").click()

    expect(page).to_have_url(ACCOUNT_URL)
    expect_account(page, member)
    assert len(stack.emulator.messages(member.authy_id)) == before  # nothing was texted


def test_with_no_passkey_at_hand_a_code_still_logs_in(page, stack, member, device):
    log_in_with_the_apps_code(page, stack, member)
    add_a_passkey(page, "Phone")
    log_out(page)
    log_in(page, stack.site_url, member)
    expect(page.get_by_role("heading", name="Use your passkey")).to_be_visible()

    page.get_by_role("button", name="Use a code instead").click()
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_role("status")).to_have_text("We texted a new code to your phone.")
    code = stack.emulator.latest_code(member.authy_id)
    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Verify").click()

    expect_account(page, member)
    expect(page.locator("#account-last-login")).to_contain_text("with a verification code")
