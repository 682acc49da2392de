"""The pages against a faked API: the failures the real stack can't easily be made to show."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    ACCOUNT,
    ACCOUNT_URL,
    challenge_answer,
    session_storage,
    status_answer,
)

PAGES = ["index.html", "signup.html", "login.html", "account.html"]
PHONE = {"width": 360, "height": 740}
# Counted in the page when fetch is called, so a stray poll can't slip past an assertion.
COUNT_STATUS_FETCHES = """() => {
    window.statusFetches = 0;
    const realFetch = window.fetch;
    window.fetch = (url, options) => {
        if (String(url).endsWith("/login/status")) window.statusFetches += 1;
        return realFetch(url, options);
    };
}"""


def start_login(page, site):
    page.goto(f"{site}/login.html")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()


def overflows(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.allow_console(r"ERR_CONNECTION_REFUSED")
def test_polling_backs_off_on_network_errors_and_recovers(page, offline_site, fake_api, shot):
    session = {"token": "session-token-1", "expires_in": 43200}
    fake_api.on("POST", "/login", (200, challenge_answer()))
    fake_api.on(
        "GET",
        "/login/status",
        (200, status_answer()),
        "abort",
        "abort",
        (200, status_answer()),
        (200, status_answer("approved", session=session)),
    )
    fake_api.on("GET", "/account", (200, ACCOUNT))
    start_login(page, offline_site)

    expect(page.get_by_role("alert")).to_contain_text("couldn't reach the server")
    expect(page.get_by_role("alert")).to_contain_text("Trying again in")
    shot(page, "retrying")
    expect(page).to_have_url(ACCOUNT_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada Lovelace")
    assert len(fake_api.called("GET", "/login/status")) == 5, "no poll after the approval"


@pytest.mark.allow_console(r"ERR_CONNECTION_REFUSED")
def test_the_wait_between_failed_polls_grows(page, offline_site, fake_api):
    times = []
    fake_api.on("POST", "/login", (200, challenge_answer()))
    fake_api.on("GET", "/login/status", (200, status_answer()), "abort")

    def timed(request):
        if request.method == "GET" and request.url.endswith("/login/status"):
            times.append(time.monotonic())

    page.on("request", timed)
    start_login(page, offline_site)

    expect(page.get_by_role("alert")).to_contain_text("Trying again in 4 s")
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps[0] < 1.8, "pending: polled every second"
    assert 1.5 < gaps[1] < 3, "first failure: wait 2 s"


@pytest.mark.parametrize(
    "answer",
    [(502, "<html><body>Bad gateway</body></html>"), (200, "<html>Welcome to nginx</html>")],
    ids=["html-error-page", "html-instead-of-json"],
)
@pytest.mark.allow_console(r"status of 502")
def test_an_answer_that_is_not_json_gets_a_friendly_message(page, offline_site, fake_api, answer):
    fake_api.on("POST", "/login", answer)
    start_login(page, offline_site)
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^(Something went wrong|The server sent an answer we couldn't read)")
    )
    expect(page.get_by_role("button", name="Log in")).to_be_enabled()


@pytest.mark.allow_console(r"ERR_CONNECTION_REFUSED")
def test_a_network_failure_on_log_in_gets_a_friendly_message(page, offline_site, fake_api):
    fake_api.on("POST", "/login", "abort")
    start_login(page, offline_site)
    expect(page.get_by_role("alert")).to_have_text(
        "We couldn't reach the server. Check your connection and try again."
    )


@pytest.mark.allow_console(r"status of 429")
def test_resend_waits_as_long_as_retry_after_says(page, offline_site, fake_api, shot):
    fake_api.on("POST", "/login", (200, challenge_answer()))
    fake_api.on("GET", "/login/status", (200, status_answer("denied")))
    too_soon = {"error": {"code": "resend_too_soon", "message": "Wait.", "resend_in": 3}}
    fake_api.on("POST", "/login/token", (429, too_soon, {"Retry-After": "3"}))
    start_login(page, offline_site)
    text_me = page.get_by_role("button", name="Text me a code")
    expect(text_me).to_be_enabled()

    text_me.click()
    expect(page.get_by_role("alert")).to_have_text(
        "Please wait a moment before asking for another code."
    )
    expect(text_me).to_be_disabled()
    expect(page.get_by_role("button", name="Call me")).to_be_disabled()
    expect(page.locator("#resend-cooldown")).to_have_text(
        re.compile(r"You can ask for another code in 0:0[1-3]\.")
    )
    shot(page, "cooldown")
    expect(text_me).to_be_enabled(timeout=6_000)
    expect(page.locator("#resend-cooldown")).to_have_text("")


@pytest.mark.allow_console(r"status of 401")
def test_a_spent_challenge_sends_the_signup_to_log_in(page, offline_site, fake_api):
    used = {"error": {"code": "challenge_used", "message": "Used."}}
    fake_api.on("POST", "/signup", (201, challenge_answer()))
    fake_api.on("GET", "/login/status", (401, used))
    page.goto(f"{offline_site}/signup.html")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_label("Mobile phone").fill("201 555 0123")
    page.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(re.compile(r"/login\.html$"))
    expect(page.get_by_role("alert")).to_have_text(
        "That verification step is already finished. Please log in again."
    )
    signup = fake_api.called("POST", "/signup")[0][2]
    assert '"country_code":"+1"' in signup and '"phone":"201 555 0123"' in signup


def test_signup_checks_fields_before_asking_the_api(page, offline_site, fake_api, shot):
    page.goto(f"{offline_site}/signup.html")
    page.get_by_label("Email").fill("ada@nowhere")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Please check: Full name, Email, Password, Mobile phone."
    )
    expect(page.locator("#password-error")).to_have_text("Use 8 to 128 characters.")
    expect(page.get_by_label("Full name")).to_be_focused()
    assert fake_api.calls == []
    shot(page, "field-errors")


@pytest.mark.allow_console(r"status of 404")
def test_a_missing_config_js_is_obvious(page, offline_site):
    page.route("**/config.js", lambda route: route.fulfill(status=404, body="Not found"))
    page.goto(f"{offline_site}/login.html")
    expect(page.get_by_role("alert")).to_contain_text("missing its settings file (config.js)")
    expect(page.get_by_role("button", name="Log in")).to_be_disabled()


@pytest.mark.parametrize("viewport", [PHONE], ids=["360px"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_fits_a_360px_screen(page, offline_site, fake_api, shot, name):
    page.goto(f"{offline_site}/login.html")
    page.evaluate("sessionStorage.setItem('twofa.session', '{\"token\": \"layout-session\"}')")
    fake_api.on("GET", "/account", (200, ACCOUNT))
    page.goto(f"{offline_site}/{name}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert not overflows(page)
    shot(page, name)


@pytest.mark.parametrize("viewport", [PHONE], ids=["360px"])
@pytest.mark.allow_console(r"status of 401")
def test_the_phone_step_fits_a_360px_screen(page, offline_site, fake_api, shot):
    wrong = {"error": {"code": "invalid_code", "message": "No.", "attempts_left": 4}}
    fake_api.on("POST", "/login", (200, challenge_answer()))
    fake_api.on("GET", "/login/status", (200, status_answer()))
    fake_api.on("POST", "/login/verify", (401, wrong))
    start_login(page, offline_site)
    expect(page.locator("#request-code")).to_have_text("K7P-2QX")
    assert not overflows(page)
    shot(page, "push")

    page.get_by_role("button", name="Use a code instead").click()
    page.get_by_label("Verification code").fill("123456")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verification-code-error")).to_have_text(
        "That code isn't right. 4 attempts left."
    )
    assert not overflows(page)
    shot(page, "wrong-code")


def test_use_a_code_instead_keeps_watching_the_push(page, offline_site, fake_api):
    session = {"token": "session-token-2", "expires_in": 43200}
    fake_api.on("POST", "/login", (200, challenge_answer()))
    fake_api.on(
        "GET",
        "/login/status",
        *[(200, status_answer())] * 3,
        (200, status_answer("approved", session=session)),
    )
    fake_api.on("GET", "/account", (200, ACCOUNT))
    start_login(page, offline_site)
    page.get_by_role("button", name="Use a code instead").click()
    expect(page.get_by_label("Verification code")).to_be_focused()
    expect(page).to_have_url(ACCOUNT_URL)
    assert list(session_storage(page)) == ["twofa.session"]


def test_start_over_forgets_the_challenge_and_shows_log_in(page, offline_site, fake_api):
    fake_api.on("POST", "/login", (200, challenge_answer()))
    fake_api.on("GET", "/login/status", (200, status_answer()))
    page.clock.install()  # so the test can run the page's timers forward, not sleep
    start_login(page, offline_site)
    expect(page.locator("#request-code")).to_have_text("K7P-2QX")
    page.get_by_role("button", name="Start over").click()

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_focused()
    assert session_storage(page) == {}
    page.evaluate(COUNT_STATUS_FETCHES)
    page.clock.run_for(10_000)
    assert page.evaluate("window.statusFetches") == 0, "polling stopped"
