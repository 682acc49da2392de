"""The passkey parts of the pages against a faked API: what the real stack can't easily show
(a browser without WebAuthn, a device with no passkey for us, the words for each)."""

import secrets

from playwright.sync_api import expect

from tests.browser.helpers import account_answer, challenge_answer, status_answer


def passkey_options():
    return {
        "ceremony": "ceremony-" + secrets.token_hex(8),
        "options": {
            "challenge": "Y2hhbGxlbmdlLWNoYWxsZW5nZS1jaGFsbGVuZ2UtMzI",
            "timeout": 300000,
            "rpId": "localhost",
            "allowCredentials": [],
            "userVerification": "required",
        },
        "expires_in": 300,
    }


def test_a_browser_without_webauthn_is_not_offered_passkeys(page, offline_site):
    page.add_init_script("delete window.PublicKeyCredential")
    page.goto(f"{offline_site}/login.html")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_enabled()
    expect(page.get_by_role("button", name="Log in with a passkey")).to_be_hidden()


def test_with_no_passkey_on_the_device_the_page_says_so_and_sends_nothing(
    page, offline_site, fake_api, device, shot
):
    fake_api.on("POST", "/login/passkey/options", (200, passkey_options()))
    page.goto(f"{offline_site}/login.html")

    button = page.get_by_role("button", name="Log in with a passkey")
    button.click()

    expect(page.get_by_role("status")).to_have_text(
        "The passkey request was cancelled or timed out. Try again when you're ready."
    )
    expect(button).to_be_enabled()
    expect(button).to_be_focused()
    assert fake_api.called("POST", "/login/passkey") == []
    shot(page, "no-passkey")


def test_the_second_step_offers_the_passkey_first_with_a_code_beside_it(
    page, offline_site, fake_api, shot
):
    answer = challenge_answer(method="passkey")
    answer["challenge"]["passkey"] = True
    fake_api.on("POST", "/login", (200, answer))
    fake_api.on("GET", "/login/status", (200, status_answer(method="passkey")))
    page.goto(f"{offline_site}/login.html")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in", exact=True).click()

    expect(page.get_by_role("heading", name="Use your passkey")).to_be_visible()
    expect(page.get_by_role("button", name="Use your passkey")).to_be_focused()
    shot(page, "passkey-first")
    page.get_by_role("button", name="Use a code instead").click()

    expect(page.get_by_role("heading", name="Enter your verification code")).to_be_visible()
    expect(page.get_by_label("Verification code")).to_be_focused()
    expect(page.get_by_role("button", name="Text me a code")).to_be_enabled()
    page.get_by_role("button", name="Use your passkey").click()  # and back again
    expect(page.get_by_role("heading", name="Use your passkey")).to_be_visible()
    assert fake_api.called("POST", "/login/passkey/options") == []  # nothing until asked


def test_a_new_passkey_is_named_by_default_after_the_browser(page, offline_site, fake_api):
    fake_api.on("GET", "/account", (200, account_answer()))
    options = {
        "ceremony": "ceremony-1",
        "options": {"challenge": "AAAA", "rp": {"id": "localhost", "name": "Twofold"}},
        "default_name": "Chrome on Linux",
        "expires_in": 300,
    }
    fake_api.on("POST", "/account/passkeys/options", (200, options))
    page.goto(f"{offline_site}/login.html")
    page.evaluate("sessionStorage.setItem('twofold.session', '{\"token\": \"passkey-session\"}')")
    page.goto(f"{offline_site}/account.html")

    page.get_by_role("button", name="Add a passkey").click()

    name = page.get_by_label("Name for the new passkey")
    expect(name).to_have_value("Chrome on Linux")
    expect(name).to_be_focused()
    page.get_by_role("button", name="Cancel").click()
    expect(name).to_be_hidden()
    expect(page.get_by_role("button", name="Add a passkey")).to_be_visible()
    assert len(fake_api.called("POST", "/account/passkeys/options")) == 1
