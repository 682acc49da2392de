"""The account page's security section, as a person uses it: recovery codes, a remembered
browser, a password change, and proving it's you again before a change."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    ACCOUNT_URL,
    LOGIN_URL,
    account_answer,
    answer_on_phone,
    challenge_answer,
    log_in,
)


def logged_in(page, phone, stack, member, remember=False):
    """Log in through the page, approving the push on the phone."""
    log_in(page, stack.site_url, member)
    expect(page.get_by_role("heading", name="Approve the request on your phone")).to_be_visible()
    if remember:
        page.get_by_label("Remember this browser for 30 days").check()
    answer_on_phone(phone, member.email, "Approve")
    expect(page).to_have_url(ACCOUNT_URL)


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(LOGIN_URL)


@pytest.mark.allow_console(r"status of 401")
def test_recovery_codes_are_shown_once_and_each_logs_in_once(page, phone, stack, member, shot):
    logged_in(page, phone, stack, member)
    section = page.get_by_role("region", name="Recovery codes")
    section.get_by_role("button", name="Create recovery codes").click()
    codes = section.locator("#recovery-list li")
    expect(codes).to_have_count(10)
    expect(section.get_by_role("link", name="Download as text")).to_have_attribute(
        "download", "twofold-recovery-codes.txt"
    )
    shot(page, "codes")
    code = codes.first.inner_text()
    log_out(page)

    log_in(page, stack.site_url, member)
    page.get_by_role("button", name="Use a recovery code").click()
    page.get_by_label("Recovery code").fill(code)
    page.get_by_role("button", name="Use this code").click()
    expect(page).to_have_url(ACCOUNT_URL)
    expect(page.get_by_role("region", name="Recovery codes")).to_contain_text(
        "9 unused recovery codes left."
    )
    expect(page.locator("#account-last-login")).to_contain_text("with a recovery code")
    log_out(page)

    log_in(page, stack.site_url, member)
    page.get_by_role("button", name="Use a recovery code").click()
    page.get_by_label("Recovery code").fill(code)
    page.get_by_role("button", name="Use this code").click()
    expect(page.locator("#recovery-code-error")).to_contain_text(
        "isn't one of your unused recovery codes"
    )
    shot(page, "used-code")


def test_a_remembered_browser_skips_the_second_step_until_it_is_forgotten(
    page, phone, stack, member, shot
):
    logged_in(page, phone, stack, member, remember=True)
    browsers = page.get_by_role("region", name="Remembered browsers")
    expect(browsers.get_by_role("listitem")).to_have_count(1)
    expect(browsers).to_contain_text("Chrome on Linux")
    log_out(page)

    log_in(page, stack.site_url, member)  # no push: straight to the account
    expect(page).to_have_url(ACCOUNT_URL)
    expect(page.locator("#account-last-login")).to_contain_text("from a remembered browser")
    shot(page, "remembered")

    browsers.get_by_role("button", name="Forget").click()
    expect(browsers.get_by_role("listitem")).to_have_count(0)
    log_out(page)
    log_in(page, stack.site_url, member)
    expect(page.get_by_role("heading", name="Approve the request on your phone")).to_be_visible()


@pytest.mark.allow_console(r"status of 401")
def test_a_new_password_works_and_the_old_one_stops(page, phone, stack, member):
    logged_in(page, phone, stack, member)
    form = page.get_by_role("region", name="Change password")
    form.get_by_label("Current password").fill(member.password)
    form.get_by_label("New password").fill("a brand new passphrase")
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    log_out(page)

    log_in(page, stack.site_url, member)
    expect(page.get_by_role("alert")).to_contain_text("That email and password don't match")
    page.get_by_label("Password").fill("a brand new passphrase")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Approve the request on your phone")).to_be_visible()


STEP_UP_REQUIRED = (
    403,
    {"error": {"code": "step_up_required", "message": "Please prove it's you again."}},
)


@pytest.mark.allow_console(r"status of 403")
def test_a_change_after_ten_minutes_proves_it_again_then_goes_on(
    page, offline_site, fake_api, shot
):
    """The server says step_up_required: the page runs the second step inline, then retries."""
    page.goto(f"{offline_site}/login.html")
    page.evaluate("sessionStorage.setItem('twofold.session', '{\"token\": \"account-session\"}')")
    codes = [f"AAAA-BBBB-CCCC-{n:04d}" for n in range(10)]
    fake_api.on("GET", "/account", (200, account_answer()))
    fake_api.on("POST", "/account/recovery-codes", STEP_UP_REQUIRED, (201, {"codes": codes}))
    fake_api.on("POST", "/account/step-up", (201, challenge_answer("sms")))
    fake_api.on(
        "GET",
        "/login/status",
        (
            200,
            {
                "status": "pending",
                "method": "sms",
                "expires_in": 280,
                "attempts_left": 5,
                "resend_in": 0,
                "sends_left": 5,
            },
        ),
    )
    fake_api.on("POST", "/login/verify", (200, {"step_up": {"proven_for": 600}}))
    page.goto(f"{offline_site}/account.html")

    page.get_by_role("button", name="Create recovery codes").click()
    step = page.locator("#step-up")
    expect(step.get_by_label("Verification code")).to_be_visible()
    expect(step.get_by_label("Remember this browser for 30 days")).to_have_count(0)
    shot(page, "step-up")
    step.get_by_label("Verification code").fill("123456")
    step.get_by_role("button", name="Verify").click()

    expect(page.locator("#recovery-list li")).to_have_count(10)
    expect(step).to_be_hidden()
    made = fake_api.called("POST", "/account/recovery-codes")
    assert len(made) == 2  # refused, proven, then made
    assert json.loads(fake_api.called("POST", "/login/verify")[0][2]) == {"token": "123456"}
    assert page.url.endswith("/account.html")
