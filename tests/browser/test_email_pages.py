"""The email pages against a faked API: "Forgot your password?", the reset page, the page
the signup email's links open, and the account page of an unconfirmed email."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import LOGIN_URL, account_answer

TOKEN = "Tk3n_of-a-link-we-emailed-0123456789abcdefgh"
ANSWER = {"message": "If an account uses this email, we sent a link to it."}
SENT = re.compile(r"^If an account uses this email, we sent a link to it\.")


def posted(fake_api, path):
    return [json.loads(body) for _, _, body in fake_api.called("POST", path)]


def expect_no_fragment(page):
    """The token is gone from the address bar and from the history entry."""
    assert "#" not in page.url and TOKEN not in page.url
    assert page.evaluate("location.hash") == ""


def link_error(code, message="This link doesn't work."):
    return (400, {"error": {"code": code, "message": message}})


# --- "Forgot your password?" ----------------------------------------------------------


def test_log_in_leads_to_forgot_your_password(page, offline_site):
    page.goto(f"{offline_site}/login.html")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(re.compile(r"/forgot\.html$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    expect(page.get_by_label("Email")).to_be_focused()


def test_forgot_sends_the_email_and_says_the_same_thing_whatever_it_is(
    page, offline_site, fake_api, shot
):
    fake_api.on("POST", "/password/forgot", (202, ANSWER))
    page.goto(f"{offline_site}/forgot.html")
    for email in ("ada@example.com", "nobody@example.com"):
        page.get_by_label("Email").fill(f"  {email} ")
        page.get_by_role("button", name="Send the link").click()
        expect(page.get_by_role("status")).to_have_text(SENT)
    assert posted(fake_api, "/password/forgot") == [
        {"email": "ada@example.com"},
        {"email": "nobody@example.com"},
    ]
    shot(page, "sent")


def test_forgot_checks_the_email_before_asking(page, offline_site, fake_api):
    page.goto(f"{offline_site}/forgot.html")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("#email-error")).to_have_text(
        "Enter an email address like name@example.com."
    )
    assert fake_api.called("POST", "/password/forgot") == []


@pytest.mark.allow_console(r"status of 429")
def test_forgot_says_when_to_try_again(page, offline_site, fake_api):
    limited = {"error": {"code": "rate_limited", "message": "Too many requests."}}
    fake_api.on("POST", "/password/forgot", (429, limited, {"Retry-After": "1800"}))
    page.goto(f"{offline_site}/forgot.html")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("alert")).to_have_text("Too many requests. Try again in 30 min.")


# --- the reset page ---------------------------------------------------------------------


def test_the_reset_page_sets_the_password_then_sends_you_to_log_in(
    page, offline_site, fake_api, shot
):
    fake_api.on("POST", "/password/reset", (204, None))
    page.goto(f"{offline_site}/reset.html#token={TOKEN}")
    expect(page.get_by_label("New password")).to_be_focused()
    expect_no_fragment(page)
    shot(page, "form")

    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#new-password-error")).to_have_text("Use 8 to 128 characters.")
    assert fake_api.called("POST", "/password/reset") == []

    page.get_by_label("New password").fill("a whole new password")
    page.get_by_role("button", name="Set the new password").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("status")).to_have_text(
        "Your password is changed. Log in with it; we'll still ask for your phone."
    )
    assert posted(fake_api, "/password/reset") == [
        {"token": TOKEN, "new_password": "a whole new password"}
    ]


@pytest.mark.allow_console(r"status of 400")
@pytest.mark.parametrize(
    "code, heading",
    [
        ("link_expired", "This link has expired"),
        ("link_invalid", "This link doesn't work any more"),
    ],
)
def test_a_reset_link_that_no_longer_works_gets_a_clear_page(
    page, offline_site, fake_api, shot, code, heading
):
    fake_api.on("POST", "/password/reset", link_error(code))
    page.goto(f"{offline_site}/reset.html#token={TOKEN}")
    page.get_by_label("New password").fill("a whole new password")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("link", name="Ask for a new link")).to_have_attribute(
        "href", "forgot.html"
    )
    expect(page.get_by_label("New password")).to_be_hidden()
    shot(page, code)


@pytest.mark.parametrize("fragment", ["", "#token=", "#token=abc", "#other=" + TOKEN])
def test_a_reset_link_that_is_not_whole_says_so_without_asking(
    page, offline_site, fake_api, fragment
):
    page.goto(f"{offline_site}/reset.html{fragment}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link isn't complete")
    assert fake_api.calls == []


# --- the signup email's links -------------------------------------------------------------


def test_the_proof_link_confirms_the_email_at_once(page, offline_site, fake_api, shot):
    fake_api.on("POST", "/email/prove", (200, {"email": "ada@example.com", "email_proven": True}))
    page.goto(f"{offline_site}/email.html#token={TOKEN}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email is confirmed")
    expect_no_fragment(page)
    assert posted(fake_api, "/email/prove") == [{"token": TOKEN}]
    shot(page, "confirmed")


def test_the_release_link_asks_before_it_releases(page, offline_site, fake_api, shot):
    fake_api.on("POST", "/email/release", (200, {"email": "ada@example.com", "released": True}))
    page.goto(f"{offline_site}/email.html#release={TOKEN}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Release this address?")
    expect_no_fragment(page)
    assert fake_api.calls == [], "opening the link (a mail scanner may) releases nothing"
    shot(page, "ask")

    page.get_by_role("button", name="Release this address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The address is released")
    assert posted(fake_api, "/email/release") == [{"token": TOKEN}]
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()


@pytest.mark.allow_console(r"status of 400")
@pytest.mark.parametrize(
    "fragment, path", [(f"#token={TOKEN}", "/email/prove"), (f"#release={TOKEN}", "/email/release")]
)
def test_a_used_or_forged_link_gets_a_clear_page(page, offline_site, fake_api, fragment, path):
    why = "This link no longer works: the address is confirmed, or was released."
    fake_api.on("POST", path, link_error("link_invalid", why))
    page.goto(f"{offline_site}/email.html{fragment}")
    if path == "/email/release":
        page.get_by_role("button", name="Release this address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This link doesn't work")
    expect(page.locator("#email-text")).to_have_text(why)


@pytest.mark.allow_console(r"status of 400")
def test_an_expired_link_says_what_to_do(page, offline_site, fake_api):
    fake_api.on("POST", "/email/prove", link_error("link_expired", "This link has expired."))
    page.goto(f"{offline_site}/email.html#token={TOKEN}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    expect(page.locator("#email-text")).to_contain_text("Send the link again")


@pytest.mark.parametrize("fragment", ["", "#token=short", "#release=" + "é" * 20])
def test_a_link_that_is_not_whole_asks_nothing(page, offline_site, fake_api, fragment):
    page.goto(f"{offline_site}/email.html{fragment}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link isn't complete")
    assert fake_api.calls == []


# --- the account page of an unconfirmed email ---------------------------------------------


def open_unconfirmed_account(page, site, fake_api):
    account = {
        **account_answer(),
        "email_proven": False,
        "email_unproven_until": "2026-11-28T21:30:00Z",
    }
    page.goto(f"{site}/login.html")
    page.evaluate(
        "sessionStorage.setItem('twofold.session', '{\"token\": \"email-page-session\"}')"
    )
    fake_api.on("GET", "/account", (200, account))
    page.goto(f"{site}/account.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada Lovelace")


def test_an_unconfirmed_email_shows_and_the_link_can_be_sent_again(
    page, offline_site, fake_api, shot
):
    fake_api.on("POST", "/account/email/resend", (200, {"sent": True}))
    open_unconfirmed_account(page, offline_site, fake_api)
    expect(page.locator("#email-unproven")).to_have_text("unconfirmed")
    expect(page.locator("#account-email")).to_have_text("ada@example.com")
    box = page.get_by_role("region", name="Your email is unconfirmed")
    expect(box).to_contain_text("We emailed ada@example.com a link to confirm it.")
    expect(box.locator("time")).to_have_attribute("datetime", "2026-11-28T21:30:00.000Z")
    shot(page, "unconfirmed")

    page.get_by_role("button", name="Send the link again").click()
    expect(page.get_by_role("status")).to_have_text(
        "We sent a new link. Open it from your inbox to confirm your email."
    )
    assert len(fake_api.called("POST", "/account/email/resend")) == 1


@pytest.mark.allow_console(r"status of 429")
def test_sending_again_too_often_says_when(page, offline_site, fake_api):
    limited = {"error": {"code": "rate_limited", "message": "Too many requests."}}
    fake_api.on("POST", "/account/email/resend", (429, limited, {"Retry-After": "600"}))
    open_unconfirmed_account(page, offline_site, fake_api)
    page.get_by_role("button", name="Send the link again").click()
    expect(page.get_by_role("alert")).to_contain_text("Try again in 10 min.")


def test_a_confirmed_email_shows_nothing_to_do(page, offline_site, fake_api):
    page.goto(f"{offline_site}/login.html")
    page.evaluate(
        "sessionStorage.setItem('twofold.session', '{\"token\": \"email-page-session\"}')"
    )
    fake_api.on("GET", "/account", (200, account_answer()))
    page.goto(f"{offline_site}/account.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada Lovelace")
    expect(page.locator("#email-unproven")).to_be_hidden()
    expect(page.get_by_role("button", name="Send the link again")).to_be_hidden()
