"""A person on a Twilio Verify stack: sign up with a texted code read on the virtual phone,
add an authenticator app from the account page by pasting its key into the phone's
authenticator, then log in with the app's code."""

import re

from playwright.sync_api import expect

from devstack.members import PASSWORD, Member, unique_email, us_phone
from tests.browser.helpers import ACCOUNT_URL, log_in


def phone_page(browser, stack):
    page = browser.new_page()
    page.goto(f"{stack.emulator_url}/phone")
    return page


def texted_code(phone, member, count):
    """The code of the ``count``-th text to the member's number, as the phone page shows it."""
    box = phone.get_by_role("region", name=f"Phone of {member.e164}")
    expect(box.locator(".message-code")).to_have_count(count)
    return box.locator(".message-code").nth(count - 1).inner_text()


def test_sign_up_add_an_authenticator_and_log_in_with_it(page, browser, verify_stack, shot):
    stack = verify_stack
    member = Member("Katherine Johnson", unique_email(), PASSWORD, us_phone())
    phone = phone_page(browser, stack)
    page.goto(f"{stack.site_url}/signup.html")
    page.get_by_label("Full name").fill(member.name)
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(member.password)
    page.get_by_label("Country code").select_option("+1")
    page.get_by_label("Mobile phone").fill(member.phone)
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", name="Enter your verification code")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("We texted a verification code to your phone.")
    page.get_by_label("Verification code").fill(texted_code(phone, member, 1))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(ACCOUNT_URL)
    shot(page, "account")

    section = page.get_by_role("region", name="Authenticator app")
    section.get_by_role("button", name="Add an authenticator app").click()
    expect(page.locator("canvas.qr")).to_be_visible()
    key = page.locator("#authenticator-key").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", key), key
    shot(page, "authenticator-key")
    phone.get_by_label("Key or otpauth URI").fill(key)
    phone.get_by_role("button", name="Add account").click()
    app_code = phone.locator(".account-code").first.inner_text()
    page.get_by_label("Code from the app").fill(app_code)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("authenticator app is added")
    expect(section).to_contain_text("Logins ask for its code first.")

    page.get_by_role("button", name="Log out").click()
    log_in(page, stack.site_url, member)
    expect(
        page.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Text me a code")).to_be_visible()
    expect(page.get_by_role("button", name="Call me")).to_be_visible()
    shot(page, "app-code")
    page.get_by_label("Verification code").fill(phone.locator(".account-code").first.inner_text())
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(ACCOUNT_URL)
    expect(page.locator("#account-last-login")).to_contain_text("with a verification code")
    phone.close()
