"""The pages against a faked API: the failures the real stack can't easily be made to show."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    ACCOUNT,
    ACCOUNT_URL,
    ACTIVITY,
    COUNT_STATUS_FETCHES,
    account_answer,
    challenge_answer,
    session_storage,
    status_answer,
    wait_until,
)

XSS_TEXT = "<img src=x onerror=alert(1)>"
PAGES = [
    "index.html",
    "signup.html",
    "login.html",
    "account.html",
    "forgot.html",
    "reset.html",
    "email.html",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def start_login(page, site):
    page.goto(f"{site}/login.html")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in", exact=True).click()


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
    fake_api.on("GET", "/account", (200, account_answer()))
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
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_enabled()


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
def test_without_config_js_the_site_still_logs_in_and_polls(page, offline_site, fake_api):
    """config.js only names the socket: the API is the site's own /api either way."""
    page.route("**/config.js", lambda route: route.fulfill(status=404, body="Not found"))
    fake_api.on("POST", "/login", (200, challenge_answer()))
    fake_api.on("GET", "/login/status", (200, status_answer()))
    start_login(page, offline_site)
    expect(page.locator("#request-code")).to_have_text("K7P-2QX")
    wait_until(page, lambda: len(fake_api.called("GET", "/login/status")) >= 2, "polling")
    assert page.get_by_role("alert").inner_text() == ""


def test_log_in_does_not_move_focus_from_a_field_being_filled(page, offline_site):
    config = []
    page.route("**/config.js", lambda route: config.append(route))  # held: a slow network
    page.goto(f"{offline_site}/login.html", wait_until="domcontentloaded")
    page.get_by_label("Password").fill("correct horse")
    wait_until(page, lambda: config, "the request for config.js")
    config[0].continue_()

    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_enabled()
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(" battery staple")
    expect(page.get_by_label("Password")).to_have_value("correct horse battery staple")
    expect(page.get_by_label("Email")).to_have_value("")


@pytest.mark.parametrize("viewport", [PHONE], ids=["360px"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_fits_a_360px_screen(page, offline_site, fake_api, shot, name):
    page.goto(f"{offline_site}/login.html")
    page.evaluate("sessionStorage.setItem('twofold.session', '{\"token\": \"layout-session\"}')")
    fake_api.on("GET", "/account", (200, account_answer()))
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
    fake_api.on("GET", "/account", (200, account_answer()))
    start_login(page, offline_site)
    page.get_by_role("button", name="Use a code instead").click()
    expect(page.get_by_label("Verification code")).to_be_focused()
    expect(page).to_have_url(ACCOUNT_URL)
    assert list(session_storage(page)) == ["twofold.session"]


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


# --- the account page's recent activity -------------------------------------------------

NOW = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)  # the page's clock, so "this year" is fixed


def activity_event(at, event, method=None, ip="127.0.0.1", browser="Chrome on Linux"):
    return {"at": at, "event": event, "method": method, "ip": ip, "browser": browser}


def open_account(page, site, fake_api, activity, *later_activity_answers):
    """The account page, whose one GET /account brings ``activity``; a retry of the
    activity alone gets ``later_activity_answers``."""
    page.goto(f"{site}/login.html")
    page.evaluate("sessionStorage.setItem('twofold.session', '{\"token\": \"account-session\"}')")
    page.clock.set_system_time(NOW)
    fake_api.on("GET", "/account", (200, account_answer(activity)))
    if later_activity_answers:
        fake_api.on("GET", "/account/activity", *later_activity_answers)
    page.goto(f"{site}/account.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada Lovelace")


def activity_items(page):
    return page.get_by_role("region", name="Recent activity").get_by_role("listitem")


def test_recent_activity_reads_as_sentences(page, offline_site, fake_api, shot):
    events = [
        activity_event("2026-11-27T21:23:00Z", "login_succeeded", "onetouch"),
        activity_event("2026-11-27T21:22:40Z", "code_failed", ip="unknown"),
        activity_event("2026-11-27T21:22:00Z", "code_sent", "call", browser="A browser"),
        activity_event("2026-03-01T08:05:00Z", "login_failed", "password", ip="198.51.100.4"),
        activity_event("2025-12-31T23:59:00Z", "signup", browser=XSS_TEXT),
        activity_event("2025-12-30T10:00:00Z", "passkey_renamed", ip=None, browser=None),
    ]
    open_account(page, offline_site, fake_api, {"events": events})

    items = activity_items(page)
    expect(items.locator(".activity-what")).to_have_text(
        [
            "Logged in, approved in the Authy app",
            "Wrong verification code entered",
            "Verification code sent by phone call",
            "Login failed: wrong password",
            "Account created",
            "Passkey renamed",  # an event newer than the page: its name, made readable
        ]
    )
    expect(items.locator(".activity-where")).to_have_text(
        [
            "Chrome on Linux, 127.0.0.1 — Nov 27, 9:23 PM",
            "Chrome on Linux — Nov 27, 9:22 PM",
            "A browser, 127.0.0.1 — Nov 27, 9:22 PM",
            "Chrome on Linux, 198.51.100.4 — Mar 1, 8:05 AM",
            f"{XSS_TEXT}, 127.0.0.1 — Dec 31, 2025, 11:59 PM",
            "Dec 30, 2025, 10:00 AM",
        ]
    )
    first_time = activity_items(page).first.locator("time")
    expect(first_time).to_have_attribute("datetime", "2026-11-27T21:23:00.000Z")
    assert page.locator("main img").count() == 0, "a browser name is text, never markup"
    alerts = page.locator(".activity-alert .activity-what")
    expect(alerts).to_have_text(["Wrong verification code entered", "Login failed: wrong password"])
    expect(page.locator("#activity-empty")).to_be_hidden()
    shot(page, "activity")


# Every event the API records, with the words the page uses for it.
EVENT_WORDS = [
    ("signup", None, "Account created"),
    ("login_succeeded", "onetouch", "Logged in, approved in the Authy app"),
    ("login_succeeded", "code", "Logged in with a verification code"),
    ("login_failed", "password", "Login failed: wrong password"),
    ("push_sent", "onetouch", "Login request sent to the Authy app"),
    ("push_approved", "onetouch", "Login request approved on your phone"),
    ("push_denied", "onetouch", "Login request denied on your phone"),
    ("push_expired", "onetouch", "Login request expired unanswered"),
    ("code_sent", "sms", "Verification code texted to your phone"),
    ("code_sent", "call", "Verification code sent by phone call"),
    ("code_failed", None, "Wrong verification code entered"),
    ("challenge_locked", None, "Login locked after too many wrong codes"),
    ("account_locked", None, "Account locked after too many wrong codes"),
    ("logout", None, "Logged out"),
    ("email_link_sent", "signup", "Link to confirm your email sent at signup"),
    ("email_link_sent", "resend", "Link to confirm your email sent again"),
    ("email_proven", None, "Email address confirmed"),
    ("address_released", "link", "Email address released from the link in its email"),
    ("address_released", "expired", "Email address released: no one confirmed it within 24 hours"),
    ("password_reset_requested", "email", "Password reset link emailed"),
    (
        "password_reset_requested",
        "unproven",
        "Password reset asked for: no link, the email is unconfirmed",
    ),
    ("password_reset_requested", "limit", "Password reset asked for: no link, too many today"),
    ("password_reset", None, "Password reset with a link from your email"),
]


def test_every_event_has_its_own_words(page, offline_site, fake_api):
    events = [
        activity_event("2026-11-27T20:00:00Z", event, method) for event, method, _ in EVENT_WORDS
    ]
    open_account(page, offline_site, fake_api, {"events": events})
    expect(activity_items(page).locator(".activity-what")).to_have_text(
        [words for _, _, words in EVENT_WORDS]
    )


def test_no_activity_yet_says_so(page, offline_site, fake_api):
    open_account(page, offline_site, fake_api, {"events": []})
    expect(page.get_by_text("Nothing yet.")).to_be_visible()
    expect(activity_items(page)).to_have_count(0)
    expect(page.locator("#activity-loading")).to_be_hidden()


def test_activity_that_fails_to_load_can_be_tried_again(page, offline_site, fake_api, shot):
    message = "The server sent an answer we couldn't read. Please try again."
    open_account(page, offline_site, fake_api, {"events": "nope"}, (200, ACTIVITY))

    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.get_by_text("We couldn't load your recent activity.")).to_be_visible()
    again = page.get_by_role("button", name="Load the activity again")
    expect(again).to_be_focused()
    expect(page.locator("#account-email")).to_have_text(ACCOUNT["email"])  # the rest stands
    shot(page, "activity-failed")

    again.click()
    expect(activity_items(page)).to_have_count(2)
    expect(page.get_by_role("alert")).to_have_text("")
    expect(again).to_be_hidden()
    expect(page.get_by_text("We couldn't load your recent activity.")).to_be_hidden()


def test_activity_the_page_cannot_read_is_an_error_not_a_blank(page, offline_site, fake_api):
    open_account(page, offline_site, fake_api, {"events": "nope"})
    expect(page.get_by_role("alert")).to_have_text(
        "The server sent an answer we couldn't read. Please try again."
    )
    expect(page.get_by_role("button", name="Load the activity again")).to_be_visible()


@pytest.mark.allow_console(r"status of 401")
def test_an_ended_session_on_the_activity_sends_you_to_log_in(page, offline_site, fake_api):
    ended = {"error": {"code": "session_invalid", "message": "Ended."}}
    open_account(page, offline_site, fake_api, {"events": "nope"}, (401, ended))
    page.get_by_role("button", name="Load the activity again").click()
    expect(page).to_have_url(re.compile(r"/login\.html$"))
    expect(page.get_by_role("status")).to_have_text("Your session has ended. Please log in again.")
    assert session_storage(page) == {}


def a_month_of_activity():
    """Twenty events, as many as the API shows, with long browsers and IPv6 addresses."""
    kinds = [
        ("login_succeeded", "onetouch"),
        ("push_approved", "onetouch"),
        ("push_sent", "onetouch"),
        ("logout", None),
        ("login_succeeded", "code"),
        ("code_failed", None),
        ("code_sent", "sms"),
        ("push_denied", "onetouch"),
        ("push_sent", "onetouch"),
        ("login_failed", "password"),
    ]
    where = [("2001:db8:85a3:8d3:1319:8a2e:370:7348", "Firefox on Android"), ("127.0.0.1", "Edge")]
    return [
        activity_event(
            (NOW - timedelta(days=index, minutes=7 * index)).isoformat().replace("+00:00", "Z"),
            *kinds[index % len(kinds)],
            *where[index % 2],
        )
        for index in range(20)
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_the_account_with_a_full_activity_list_fits_the_screen(
    page, offline_site, fake_api, shot, viewport
):
    open_account(page, offline_site, fake_api, {"events": a_month_of_activity()})
    expect(activity_items(page)).to_have_count(20)
    assert not overflows(page)
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    shot(page, "account")
