"""The phone step with a WebSocket: a local server plays the API's socket, the API is faked.

The stack's own gateway is exercised by the socket journeys in test_flows.py.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    ACCOUNT_URL,
    ACTIVITY,
    COUNT_STATUS_FETCHES,
    account_answer,
    challenge_answer,
    session_storage,
    status_answer,
)

SESSION = {"token": "session-token-ws", "expires_in": 43200}
T0 = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
APPROVED = (200, status_answer("approved", session=SESSION))


def stop_the_clock(page):
    """The page's timers run only when the test says (clock.run_for): no poll by chance."""
    page.clock.install(time=T0)
    page.clock.pause_at(T0 + timedelta(minutes=1))


def start_login(page, site, api, *status_answers, challenge=None):
    """Log in as far as the push; returns the challenge token."""
    challenge = challenge or challenge_answer()
    api.on("POST", "/login", (200, challenge))
    api.on("GET", "/login/status", *(status_answers or [(200, status_answer())]))
    api.on("GET", "/account", (200, account_answer()))
    page.goto(f"{site}/login.html")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#request-code")).to_have_text("K7P-2QX")
    return challenge["challenge"]["token"]


def wait_for_watch(fake_socket):
    """Until the page has sent its watch and the server has answered it."""
    fake_socket.wait_for(lambda: fake_socket.received, "the page's watch message")


def expect_account(page):
    """On the account page, loaded (so nothing is still loading when the site stops)."""
    expect(page).to_have_url(ACCOUNT_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada Lovelace")
    expect(page.locator("#activity-list > li")).to_have_count(len(ACTIVITY["events"]))


def status_calls(api):
    return len(api.called("GET", "/login/status"))


def test_an_approval_over_the_socket_is_collected_with_one_status_call(
    page, socket_site, socket_api, fake_socket, shot
):
    stop_the_clock(page)
    token = start_login(page, socket_site, socket_api, APPROVED)
    wait_for_watch(fake_socket)
    assert fake_socket.watches() == [{"action": "watch", "token": token}]
    assert fake_socket.paths == ["/"], "the token goes in the message, never in the URL"
    assert fake_socket.origins == [socket_site]
    assert status_calls(socket_api) == 0, "no polling while the socket watches"
    shot(page, "push")

    fake_socket.push({"status": "approved"})

    expect_account(page)
    calls = [call[:2] for call in socket_api.calls]
    assert calls[:2] == [("POST", "/login"), ("GET", "/login/status")]
    assert calls[2:] == [("GET", "/account")]  # the account, its security and its activity
    assert list(session_storage(page)) == ["twofold.session"]
    fake_socket.wait_for(lambda: fake_socket.closed == 1, "the page to close its socket")


def test_an_approval_that_brings_its_session_opens_the_account_asking_nothing(
    page, socket_site, socket_api, fake_socket
):
    stop_the_clock(page)
    challenge = challenge_answer()
    start_login(page, socket_site, socket_api, challenge=challenge)
    wait_for_watch(fake_socket)

    fake_socket.push(
        {
            "status": "approved",
            "session": {"expires_in": 43200, "idle_timeout": 1800},
            "account": account_answer(),
        }
    )

    expect_account(page)
    assert [call[:2] for call in socket_api.calls] == [("POST", "/login")]
    stored = json.loads(session_storage(page)["twofold.session"])
    assert stored["token"] == challenge["challenge"]["session_token"]
    fake_socket.wait_for(lambda: fake_socket.closed == 1, "the page to close its socket")


def test_while_the_socket_is_healthy_only_a_slow_safety_poll_runs(
    page, socket_site, socket_api, fake_socket
):
    stop_the_clock(page)
    start_login(page, socket_site, socket_api)
    wait_for_watch(fake_socket)
    page.evaluate(COUNT_STATUS_FETCHES)

    page.clock.run_for(9_900)
    assert page.evaluate("window.statusFetches") == 0, "no polling every second"
    page.clock.run_for(100)
    assert page.evaluate("window.statusFetches") == 1, "one safety poll after 10 s"
    expect(page.get_by_role("heading", name="Approve the request on your phone")).to_be_visible()
    assert fake_socket.closed == 0, "the socket stays open"


@pytest.mark.parametrize(
    ("status", "heading", "notice"),
    [
        ("denied", "Enter your verification code", "denied on your phone"),
        ("expired", "Enter your verification code", "request on your phone expired"),
        ("locked", "This login is locked", "Too many wrong codes."),
    ],
)
def test_a_push_that_ends_otherwise_is_shown_and_the_socket_closed(
    page, socket_site, socket_api, fake_socket, status, heading, notice
):
    start_login(page, socket_site, socket_api, (200, status_answer(status)))
    wait_for_watch(fake_socket)

    fake_socket.push({"status": status})

    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("main")).to_contain_text(notice)
    fake_socket.wait_for(lambda: fake_socket.closed == 1, "the page to close its socket")


@pytest.mark.parametrize(
    "mode",
    ["error", "garbled", "hang-up", "silent"],
    ids=["error-message", "not-json", "closes-at-once", "never-answers"],
)
@pytest.mark.allow_console(r"WebSocket connection to .* failed")
def test_a_socket_that_is_no_use_falls_back_to_polling(
    page, socket_site, socket_api, fake_socket, mode
):
    fake_socket.mode = mode
    start_login(page, socket_site, socket_api, (200, status_answer()), APPROVED)

    expect_account(page)
    assert status_calls(socket_api) == 2, "pending, then approved: polled every second"
    fake_socket.wait_for(lambda: fake_socket.closed == 1, "the socket to be closed")


@pytest.mark.parametrize("ws_url", ["ws://127.0.0.1:9"], ids=["closed-port"])
@pytest.mark.allow_console(r"WebSocket connection to 'ws://127\.0\.0\.1:9/' failed")
def test_a_socket_that_cannot_open_falls_back_to_polling(page, socket_site, socket_api, ws_url):
    with page.expect_event("websocket") as opened:
        start_login(page, socket_site, socket_api, (200, status_answer()), APPROVED)
    assert opened.value.url == ws_url + "/", "config.js named the closed port"

    expect_account(page)
    assert status_calls(socket_api) == 2


@pytest.mark.parametrize("how", ["error", "drop"])
@pytest.mark.allow_console(r"WebSocket connection to .* failed")
def test_a_socket_that_fails_while_waiting_falls_back_to_polling(
    page, socket_site, socket_api, fake_socket, how
):
    stop_the_clock(page)
    start_login(page, socket_site, socket_api, (200, status_answer()), APPROVED)
    wait_for_watch(fake_socket)
    page.evaluate(COUNT_STATUS_FETCHES)

    if how == "error":
        fake_socket.push({"error": "internal_error"})
    else:
        fake_socket.drop()
    # The clock is stopped, so no timer can have sent this poll: the page asked at once.
    page.wait_for_function("window.statusFetches === 1")
    page.clock.resume()  # and a second later, the next poll collects the session

    expect_account(page)
    assert status_calls(socket_api) == 2


def test_use_a_code_instead_keeps_the_socket_watching(page, socket_site, socket_api, fake_socket):
    stop_the_clock(page)
    start_login(page, socket_site, socket_api, (200, status_answer()), APPROVED)
    wait_for_watch(fake_socket)
    page.get_by_role("button", name="Use a code instead").click()
    expect(page.get_by_label("Verification code")).to_be_focused()
    fake_socket.push({"status": "approved"})
    expect_account(page)
    assert status_calls(socket_api) == 2, "the code form's one look, then the collection"


def test_start_over_closes_the_socket_and_stops_polling(page, socket_site, socket_api, fake_socket):
    stop_the_clock(page)
    start_login(page, socket_site, socket_api)
    wait_for_watch(fake_socket)
    page.get_by_role("button", name="Start over").click()

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    fake_socket.wait_for(lambda: fake_socket.closed == 1, "the page to close its socket")
    page.evaluate(COUNT_STATUS_FETCHES)
    page.clock.run_for(30_000)
    assert page.evaluate("window.statusFetches") == 0, "no safety poll either"
