"""The email journeys through the site on the local stack: the signup email read from the
stack's mailbox (and the phone page's), the link opened, a forgotten password reset."""

import dataclasses
import re

import pytest
from playwright.sync_api import expect

from deploy.project import chalice_config
from tests.browser.helpers import (
    LOGIN_URL,
    answer_on_phone,
    expect_account,
    log_in,
    phone_of,
    session_storage,
)

NEW_PASSWORD = "a brand new passphrase"
APP = chalice_config()["environment_variables"]["APP_NAME"]  # chalice local lets it win
SENT = re.compile(r"^If an account uses this email, we sent a link to it\.")


@pytest.mark.allow_console(r"status of 400")
def test_the_signup_link_proves_the_email_once(page, stack, member, shot):
    email = stack.emulator.wait_for_email(member.email)
    link = stack.emulator.link_in(email, "email.html")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email is confirmed")
    assert "#" not in page.url
    shot(page, "confirmed")

    page.goto("about:blank")  # the link again, as from the email: a new document
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link doesn't work")
    shot(page, "used")


def test_the_phone_pages_mailbox_opens_the_link(phone, stack, member, shot):
    mailbox = phone.get_by_role("region", name=f"Mailbox of {member.email}")
    expect(mailbox).to_contain_text(f"Confirm your email for {APP}")
    link = mailbox.locator("a[href*='/email.html#token=']")
    with phone.context.expect_page() as opened:
        link.click()
    confirmed = opened.value
    expect(confirmed.get_by_role("heading", level=1)).to_have_text("Your email is confirmed")
    shot(phone, "mailbox")


@pytest.mark.allow_console(r"status of 401")
def test_an_unconfirmed_email_can_be_released_from_its_email(page, stack, member, shot):
    release = stack.emulator.link_in(
        stack.emulator.wait_for_email(member.email), "email.html", "release"
    )
    page.goto(release)
    page.get_by_role("button", name="Release this address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The address is released")
    shot(page, "released")

    log_in(page, stack.site_url, member)
    expect(page.get_by_role("alert")).to_have_text(
        "That email and password don't match an account."
    )


@pytest.mark.allow_console(r"status of 401")
def test_forgot_your_password_resets_it_and_the_phone_is_still_asked(
    page, browser, phone, stack, member, shot
):
    proof = stack.emulator.wait_for_email(member.email)
    page.goto(stack.emulator.link_in(proof, "email.html"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email is confirmed")

    # A session somewhere else, which the reset must end.
    elsewhere = browser.new_context().new_page()
    log_in(elsewhere, stack.site_url, member)
    answer_on_phone(phone, member.email, "Approve")
    expect_account(elsewhere, member)

    page.goto(f"{stack.site_url}/login.html")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(member.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_have_text(SENT)
    shot(page, "asked")
    page.get_by_label("Email").fill(f"nobody-{member.email}")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_have_text(SENT)  # the very same words

    reset = stack.emulator.wait_for_email(member.email, subject=f"Reset your {APP} password")
    page.goto(stack.emulator.link_in(reset, "reset.html"))
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    shot(page, "reset")

    elsewhere.reload()
    expect(elsewhere).to_have_url(LOGIN_URL)  # its session ended with the reset
    elsewhere.context.close()

    log_in(page, stack.site_url, member)  # the old password: refused
    expect(page.get_by_role("alert")).to_have_text(
        "That email and password don't match an account."
    )
    member = dataclasses.replace(member, password=NEW_PASSWORD)
    log_in(page, stack.site_url, member)
    expect(page.get_by_text("Approve the request on your phone")).to_be_visible()
    assert "twofold.session" not in session_storage(page), "a new password never skips the phone"
    answer_on_phone(phone, member.email, "Approve")
    expect_account(page, member)
    expect(phone_of(phone, member.email)).to_be_visible()
