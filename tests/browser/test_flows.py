"""Whole journeys through the site against the local stack: API, emulator, virtual phone."""

import dataclasses
import json
import re
import urllib.parse

import pytest
import requests
from playwright.sync_api import expect

from chalicelib.headers import content_type, site_headers
from devstack.site import SITE_DIR, config_js
from tests.browser.helpers import (
    ACCOUNT_URL,
    LOGIN_URL,
    PASSWORD,
    Member,
    Traffic,
    answer_on_phone,
    authy_id_for,
    expect_account,
    log_in,
    new_message,
    phone_of,
    session_storage,
    submit_login,
    unique_email,
    us_phone,
    wait_until,
    wrong_code,
)

XSS_NAME = "<img src=x onerror=alert(1)>"
# How the account's activity describes this browser, this year: "... — Nov 27, 9:23 PM".
THIS_BROWSER_TODAY = re.compile(r"^Chrome on Linux, 127\.0\.0\.1 — \w{3} \d+, \d+:\d\d [AP]M$")


def sign_up(page, stack, name):
    """Sign up through the page; the member, with the id the emulator gave it (Authy)."""
    member = Member(name, unique_email(), PASSWORD, us_phone())
    page.goto(f"{stack.site_url}/signup.html")
    page.get_by_label("Full name").fill(member.name)
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(member.password)
    page.get_by_label("Country code").select_option("+1")
    page.get_by_label("Mobile phone").fill(member.phone)
    page.get_by_role("button", name="Sign up").click()
    if stack.provider == "authy":
        member = dataclasses.replace(member, authy_id=authy_id_for(stack, member.email))
    return member


def test_signup_proves_the_phone_then_log_out_ends_the_session(page, phone, stack, shot):
    page.goto(f"{stack.site_url}/")
    shot(page, "home")
    member = sign_up(page, stack, "Grace Hopper")
    expect(page.get_by_text("Approve the request on your phone")).to_be_visible()
    request_code = page.locator("#request-code").inner_text()
    shot(page, "signup-push")

    expect(phone_of(phone, member.email).get_by_role("article")).to_contain_text(request_code)
    answer_on_phone(phone, member.email, "Approve")

    expect_account(page, member)
    expect(page.locator("#account-phone")).to_contain_text(member.phone[-4:])
    expect(page.locator("#account-last-login")).to_contain_text("approved in the Authy app")
    shot(page, "account")
    session_token = json.loads(session_storage(page)["twofold.session"])["token"]

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("status")).to_have_text("You've logged out.")
    assert session_storage(page) == {}
    shot(page, "logged-out")
    answer = requests.get(
        f"{stack.api_url}/account",
        headers={"Authorization": f"Bearer {session_token}"},
        timeout=20,
    )
    assert answer.status_code == 401, "logging out ends the session on the server too"


def test_login_approved_on_the_phone_opens_the_account_without_a_reload(
    page, phone, stack, member, shot
):
    log_in(page, stack.site_url, member)
    expect(page.get_by_role("heading", name="Approve the request on your phone")).to_be_visible()
    countdown = page.locator("#push-countdown")
    expect(countdown).to_have_text(re.compile(r"^[12]:\d\d$"))  # the push's own 2 minutes
    expect(countdown).not_to_have_text(countdown.inner_text())  # it counts down, live
    page.evaluate("window.sameLoginPage = true")
    navigations_before = len(page.watch.navigations)
    assert "twofold.challenge" in session_storage(page)
    shot(page, "push")

    answer_on_phone(phone, member.email, "Approve")

    expect(page).to_have_url(ACCOUNT_URL)
    assert page.watch.navigations[navigations_before:] == [page.url], "one navigation: account"
    expect_account(page, member)
    assert "twofold.challenge" not in session_storage(page)
    shot(page, "account")


def test_denied_push_falls_back_to_a_texted_code(page, phone, stack, member, shot):
    log_in(page, stack.site_url, member)
    answer_on_phone(phone, member.email, "Deny")

    expect(page.get_by_role("status")).to_contain_text("denied on your phone")
    expect(page.get_by_label("Verification code")).to_be_focused()
    shot(page, "denied")
    sent_before = len(stack.emulator.messages(member.authy_id))
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_role("status")).to_contain_text("We texted a new code")
    expect(page.get_by_role("button", name="Text me a code")).to_be_disabled()
    expect(page.get_by_role("button", name="Call me")).to_be_disabled()
    expect(page.locator("#resend-cooldown")).to_contain_text("You can ask for another code in 0:")
    shot(page, "code-sent")

    message = new_message(stack, member.authy_id, sent_before)
    assert message["via"] == "sms"
    page.get_by_label("Verification code").fill(message["code"])
    page.get_by_role("button", name="Verify").click()

    expect_account(page, member)
    expect(page.locator("#account-last-login")).to_contain_text("verification code")


def test_expired_push_falls_back_to_a_call(page, phone, stack, member, shot):
    log_in(page, stack.site_url, member)
    request = stack.emulator.wait_for_request(member.authy_id)
    stack.emulator.expire(request["uuid"])

    expect(page.get_by_role("status")).to_contain_text("request on your phone expired")
    shot(page, "expired")
    sent_before = len(stack.emulator.messages(member.authy_id))
    page.get_by_role("button", name="Call me").click()
    expect(page.get_by_role("status")).to_contain_text("We're calling your phone")

    message = new_message(stack, member.authy_id, sent_before)
    assert message["via"] == "call"
    page.get_by_label("Verification code").fill(message["code"])
    page.get_by_role("button", name="Verify").click()
    expect_account(page, member)


@pytest.mark.allow_console(r"status of 401", r"status of 429")
def test_five_wrong_codes_lock_the_login(page, stack, member, shot):
    stack.emulator.set_app(member.authy_id, installed=False)
    log_in(page, stack.site_url, member)

    # Without the app the API texts a code at once, and makes us wait before another.
    expect(page.get_by_role("status")).to_have_text("We texted a verification code to your phone.")
    expect(page.get_by_role("button", name="Text me a code")).to_be_disabled()
    expect(page.locator("#resend-cooldown")).to_contain_text("You can ask for another code in")
    code = page.get_by_label("Verification code")
    wrong = wrong_code(new_message(stack, member.authy_id, 0)["code"])
    for attempts_left in (4, 3, 2, 1):
        code.fill(wrong)
        page.get_by_role("button", name="Verify").click()
        left = "1 attempt left." if attempts_left == 1 else f"{attempts_left} attempts left."
        expect(page.locator("#verification-code-error")).to_have_text(
            f"That code isn't right. {left}"
        )
        expect(code).to_have_attribute("aria-invalid", "true")
    shot(page, "one-attempt-left")
    code.fill(wrong)
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="This login is locked")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Too many wrong codes")
    expect(page.get_by_role("link", name="Log in again")).to_have_attribute("href", "login.html")
    assert "twofold.challenge" not in session_storage(page)
    shot(page, "locked")


def test_a_name_with_markup_is_shown_as_text_and_never_run(page, phone, stack, shot):
    member = sign_up(page, stack, XSS_NAME)
    answer_on_phone(phone, member.email, "Approve")

    expect_account(page, member)
    expect(page.locator("#account-name")).to_have_text(XSS_NAME)
    assert page.locator("main img").count() == 0
    shot(page, "account")
    # The page fixture fails the test if any dialog (alert) opened.


def test_keyboard_alone_logs_in_with_the_authy_app_code(page, stack, member, shot):
    page.goto(f"{stack.site_url}/login.html")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(member.password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Approve the request on your phone")).to_be_focused()
    page.keyboard.press("Tab")
    use_code = page.get_by_role("button", name="Use a code instead")
    expect(use_code).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    shot(page, "focus-visible")
    page.keyboard.press("Enter")

    expect(page.get_by_label("Verification code")).to_be_focused()
    page.keyboard.type(stack.emulator.totp(member.authy_id)["code"])
    page.keyboard.press("Enter")
    expect_account(page, member)


@pytest.mark.allow_console(r"status of 409", r"status of 400")
def test_signup_shows_the_apis_field_errors_next_to_the_fields(page, stack, member, shot):
    page.goto(f"{stack.site_url}/signup.html")
    page.get_by_label("Full name").fill("Someone Else")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Mobile phone").fill(us_phone())
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#email-error")).to_contain_text("already has an account")
    expect(page.get_by_label("Email")).to_be_focused()

    page.get_by_label("Email").fill(unique_email())
    page.get_by_label("Mobile phone").fill("123456")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#phone-error")).to_have_text(
        "Mobile phone is not a valid phone number for this country code."
    )
    expect(page.get_by_label("Mobile phone")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_text("Please check: Mobile phone.")
    shot(page, "field-errors")


def test_account_page_without_a_session_sends_you_to_log_in(page, stack):
    page.goto(f"{stack.site_url}/account.html")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("status")).to_have_text("Please log in to see your account.")


@pytest.mark.allow_console(r"status of 401")
def test_an_ended_session_sends_you_to_log_in(page, stack):
    page.goto(f"{stack.site_url}/login.html")
    page.evaluate(
        "sessionStorage.setItem('twofold.session', JSON.stringify({token: 'not-a-session'}))"
    )
    page.goto(f"{stack.site_url}/account.html")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("status")).to_contain_text("Please log in")
    assert session_storage(page) == {}


@pytest.mark.allow_console(r"status of 401")
def test_a_challenge_the_api_no_longer_knows_goes_back_to_log_in(page, stack):
    page.goto(f"{stack.site_url}/login.html")
    page.evaluate(
        """sessionStorage.setItem('twofold.challenge', JSON.stringify({
            purpose: 'login', token: 'no-such-challenge', method: 'onetouch',
            requestCode: 'AAA-BBB', expiresAt: Date.now() + 60000}))"""
    )
    page.reload()  # the login page picks an unfinished phone step up again
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Please log in again")
    expect(page.get_by_label("Email")).to_be_focused()
    assert "twofold.challenge" not in session_storage(page)


@pytest.mark.allow_console(r"status of 401")
def test_the_account_lists_the_login_and_the_wrong_code_before_it(page, stack, member, shot):
    log_in(page, stack.site_url, member)
    page.get_by_role("button", name="Use a code instead").click()
    code = page.get_by_label("Verification code")
    code.fill(wrong_code(stack.emulator.totp(member.authy_id)["code"]))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verification-code-error")).to_contain_text("That code isn't right.")
    code.fill(stack.emulator.totp(member.authy_id)["code"])
    page.get_by_role("button", name="Verify").click()

    expect_account(page, member)
    items = page.get_by_role("region", name="Recent activity").get_by_role("listitem")
    expect(items.locator(".activity-what").nth(0)).to_have_text(
        "Logged in with a verification code"
    )
    expect(items.locator(".activity-what").nth(1)).to_have_text("Wrong verification code entered")
    expect(items.locator(".activity-what").nth(2)).to_have_text(
        "Login request sent to the Authy app"
    )
    for index in range(3):
        expect(items.locator(".activity-where").nth(index)).to_have_text(THIS_BROWSER_TODAY)
    expect(items.last).to_contain_text("Account created")
    shot(page, "activity")


# --- the WebSocket: how the phone step hears about the push ---------------------------

CLOSED_WS = "ws://127.0.0.1:9"  # nothing listens on the discard port


def expect_account_loaded(page, member):
    expect_account(page, member)
    activity = page.get_by_role("region", name="Recent activity").get_by_role("listitem")
    expect(activity.first).to_be_visible()


def wait_for_watch(page, traffic):
    """Until the server has answered the page's watch (so it will hear the approval)."""
    wait_until(page, lambda: {"status": "pending"} in traffic.frames(), "the socket's pending")


def test_an_approval_over_the_websocket_brings_the_session_and_the_account(
    page, phone, stack, member
):
    traffic = Traffic(page, stack.site_api_url)
    log_in(page, stack.site_url, member)
    wait_for_watch(page, traffic)
    challenge = json.loads(session_storage(page)["twofold.challenge"])
    token = challenge["token"]
    assert traffic.sockets == [stack.ws_url + "/"], "the token is never in the socket's URL"
    assert traffic.sent == [{"action": "watch", "token": token}]
    assert traffic.count("GET", "/login/status") == 0, "no polling while the socket watches"

    traffic.mark("approval")
    answer_on_phone(phone, member.email, "Approve")
    expect_account_loaded(page, member)

    then = traffic.between("approval", "at account.html")
    (news,) = [entry[1] for entry in then if entry[0] == "frame"]
    assert news["status"] == "approved" and news["account"]["email"] == member.email
    assert "token" not in news["session"], "the session's token never travels on the socket"
    assert [entry for entry in then if entry[0] == "api"] == [], "nothing more to ask"
    stored = json.loads(session_storage(page)["twofold.session"])
    assert stored["token"] == challenge["sessionToken"], "the session the login named"
    requests_made = traffic.api_requests()
    print(f"OneTouch login: {len(requests_made)} API requests {requests_made}")
    assert requests_made == [("POST", "/login")], "the account came with the approval"
    assert traffic.preflights == [], "the API is on the site's origin: no CORS preflight"


# True once the page has fetched account.html in full.
ACCOUNT_HTML_FETCHED = """() => performance.getEntriesByType("resource")
  .some((entry) => new URL(entry.name).pathname === "/account.html")"""


def _approve_and_open_the_account(page, phone, stack, member):
    """Approve on the phone and see the account at account.html, in the login page's
    place in history; True when it was shown in place, False after a page load."""
    page.evaluate("window.loginPageStillHere = true")
    entries = page.evaluate("history.length")
    answer_on_phone(phone, member.email, "Approve")
    expect_account_loaded(page, member)
    assert page.url == f"{stack.site_url}/account.html"
    assert page.evaluate("history.length") == entries, "the login page is still in history"
    return page.evaluate("window.loginPageStillHere") is True


def test_the_account_page_opens_in_place_with_nothing_fetched_after_the_approval(
    page, phone, stack, member
):
    """The login page fetched account.html while the phone was read, and has its modules
    from its head: the approval shows the account without a page load or a request, at
    the address account.html in place of the login page's, the focus on its heading (as a
    screen reader would be told of a new page), and a reload shows it again."""
    traffic = Traffic(page, stack.site_api_url)
    log_in(page, stack.site_url, member)
    wait_for_watch(page, traffic)
    page.wait_for_function(ACCOUNT_HTML_FETCHED)
    after = []
    page.on("request", lambda request: after.append(urllib.parse.urlsplit(request.url).path))

    assert _approve_and_open_the_account(page, phone, stack, member), "a page load"

    assert page.title() == "Your account · Twofold"
    assert page.evaluate("document.activeElement.id") == "account-heading"
    # Chromium asks for the tab's icon again at each new address (from its cache).
    assert [path for path in after if path != "/favicon.svg"] == [], after
    page.reload()
    expect_account_loaded(page, member)
    assert page.evaluate("window.loginPageStillHere") is None


@pytest.mark.allow_console(r"net::ERR_FAILED")  # the fetch this test makes fail
def test_an_account_page_the_login_page_could_not_fetch_is_opened_by_a_page_load(
    page, phone, stack, member
):
    traffic = Traffic(page, stack.site_api_url)
    refused = []

    def early_fetch_fails(route):
        if route.request.resource_type == "fetch":
            refused.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/account.html", early_fetch_fails)
    log_in(page, stack.site_url, member)
    wait_for_watch(page, traffic)
    wait_until(page, lambda: refused, "the login page's fetch of account.html")

    assert not _approve_and_open_the_account(page, phone, stack, member), "shown in place"


def test_a_login_page_older_than_its_scripts_may_be_kept_opens_the_account_by_a_page_load(
    page, phone, stack, member
):
    """Its modules could be older than a deploy's account.html: past their max-age the
    account page loads as a page, with its scripts asked for again."""
    traffic = Traffic(page, stack.site_api_url)
    fetched = []  # from Playwright: the clock stands in for the page's own `performance`
    page.on("requestfinished", lambda request: fetched.append(request.url))
    page.clock.install()
    page.goto(f"{stack.site_url}/login.html")
    page.clock.fast_forward("05:01")  # the person left the page open that long
    submit_login(page, member)
    wait_for_watch(page, traffic)
    account_html = f"{stack.site_url}/account.html"
    wait_until(page, lambda: account_html in fetched, "the login page's fetch of account.html")

    assert not _approve_and_open_the_account(page, phone, stack, member), "shown in place"


def serve_site_for_gateway(page, stack, ws_url):
    """Serve this tab the site as devstack serves it for a WebSocket gateway at ``ws_url``."""

    def ours(url):
        path = urllib.parse.urlsplit(url).path
        return url.startswith(stack.site_url + "/") and path.endswith((".html", "/config.js"))

    def fulfil(route):
        name = urllib.parse.urlsplit(route.request.url).path.lstrip("/")
        config = name == "config.js"
        body = config_js(ws_url).encode() if config else (SITE_DIR / name).read_bytes()
        headers = {"Content-Type": content_type(name), **site_headers(ws_url)}
        route.fulfill(body=body, headers=headers)

    page.route(ours, fulfil)
    # A page Playwright fulfils has no address of its own, so Chromium would treat it as
    # public and block its calls to the loopback API; the real site server's pages are local.
    page.context.grant_permissions(["local-network-access"])


@pytest.mark.allow_console(r"WebSocket connection to 'ws://127\.0\.0\.1:9/' failed")
def test_with_the_websocket_down_the_login_completes_by_polling(page, phone, stack, member):
    serve_site_for_gateway(page, stack, CLOSED_WS)
    traffic = Traffic(page, stack.site_api_url)
    log_in(page, stack.site_url, member)
    # Within 5 s: polling from the moment the socket failed, not from the 10 s safety poll.
    wait_until(page, lambda: traffic.count("GET", "/login/status") >= 2, "polling", timeout=5)

    answer_on_phone(phone, member.email, "Approve")
    expect_account_loaded(page, member)
    assert traffic.sockets == [CLOSED_WS + "/"], "the page did try the socket"
    assert traffic.frames() == []


def test_an_error_on_the_websocket_falls_back_to_polling(page, phone, stack, member):
    def lose_the_token(socket):
        server = socket.connect_to_server()
        # The real server answers a watch without a token with {"error": ...}.
        socket.on_message(lambda message: server.send(json.dumps({"action": "watch"})))

    page.route_web_socket(re.compile(re.escape(stack.ws_url)), lose_the_token)
    traffic = Traffic(page, stack.site_api_url)
    log_in(page, stack.site_url, member)
    wait_until(page, lambda: traffic.frames(), "the socket's answer")
    assert traffic.frames() == [{"error": "challenge_invalid"}]
    wait_until(page, lambda: traffic.count("GET", "/login/status") >= 2, "polling", timeout=5)

    answer_on_phone(phone, member.email, "Approve")
    expect_account_loaded(page, member)
