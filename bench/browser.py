"""Complete OneTouch logins in headless Chromium, through the site's own pages.

One fresh browser context per login (a new visitor: no preflight cache, nothing stored),
``login.html`` → "Log in" → the phone approves after a human-ish pause → ``account.html``.
In ``polling`` mode the page finds no ``WebSocket`` (an init script removes it), so it
polls GET /login/status from the start, as it does with ``wsUrl: null``.

Two figures from just before the bench asks the emulator to approve (the tap on the
phone): to the page opening ``account.html`` (the login page shows it in place, so the
moment its address changes; after a real navigation, ``performance.timeOrigin`` there), and
to the moment the account page shows the email (a MutationObserver on ``#account-email``),
which is what a person sees. One clock: the offset between this
process's clock and the page's is measured just before each approval.
"""

import collections
import dataclasses
import random
import time
import urllib.parse

from playwright.sync_api import sync_playwright

from devstack import chromium

MODES = ("push", "polling")  # "lost" (callbacks off, the socket silent) runs apart, last
# The page finds no WebSocket, as in a browser or network without one: it polls at once.
NO_WEBSOCKET = "Object.defineProperty(window, 'WebSocket', {value: undefined});"
# When the page opens the account page in place (its address becomes account.html), and
# when the account page shows the email: the moment a person sees their account. Either
# page may show it: the login page in place, or account.html after a navigation.
ACCOUNT_WATCH = """
const replaceState = history.replaceState.bind(history);
history.replaceState = (state, title, url) => {
  if (String(url).endsWith("account.html")) {
    window.__accountOpenedAt ??= performance.timeOrigin + performance.now();
  }
  return replaceState(state, title, url);
};
new MutationObserver((_, observer) => {
  const email = document.getElementById("account-email");
  if (email && email.textContent) {
    window.__emailShownAt = performance.timeOrigin + performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""
ACCOUNT_OPENED = "window.__accountOpenedAt ?? performance.timeOrigin"
PAUSE_SECONDS = (0.5, 2.0)  # how long the person takes to tap Approve, uniformly
STEP_TIMEOUT_MS = 20_000


@dataclasses.dataclass
class BrowserLogin:
    mode: str
    latency_ms: float  # approval → the page opens account.html (in place or not)
    shown_ms: float  # approval → the account page shows the email (what a person sees)
    seen_ms: float  # approval → Playwright told us of the new URL (an upper bound)
    callback_ms: float | None  # approval → the emulator's callback answered by the API
    api_requests: collections.Counter  # "GET /login/status" → how many, preflights not included
    site_requests: collections.Counter  # "GET /js/api.js" → how many: the rest of the origin's
    sockets: int  # WebSockets the page opened
    socket_messages: list  # what the page received on them
    status_poll_gaps_ms: list  # time between successive GET /login/status
    timeline: list  # (ms from the approval, "GET /login/status"), each API request's start
    pause_s: float


class Browser:
    """One headless Chromium for every login of the run."""

    def __init__(self):
        self._playwright = sync_playwright().start()
        self.browser = chromium.launch(self._playwright)

    def close(self):
        self.browser.close()
        self._playwright.stop()

    def log_in(self, stack, member, mode, rng):
        """One complete login; a BrowserLogin, or an exception saying which step failed."""
        context = self.browser.new_context()
        context.add_init_script(ACCOUNT_WATCH)
        try:
            if mode == "polling":
                # No request interception (context.route): with it, Playwright answers
                # CORS preflights itself and they never reach the API to be counted.
                context.add_init_script(NO_WEBSOCKET)
            return _log_in(context, stack, member, mode, rng)
        finally:
            context.close()


def _log_in(context, stack, member, mode, rng):
    finished, site, sockets, messages = [], collections.Counter(), [], []
    api_prefix = stack.site_api_url + "/"  # the pages call the API on their own origin

    def on_finished(request):
        path = urllib.parse.urlsplit(request.url).path
        if request.url.startswith(api_prefix):
            name = f"{request.method} {path.removeprefix('/api')}"
            finished.append((request.timing["startTime"], name))
        elif request.url.startswith(stack.site_url + "/"):  # what CloudFront serves from S3
            site[f"{request.method} {path}"] += 1

    def on_socket(socket):
        sockets.append(socket.url)
        socket.on("framereceived", lambda payload: messages.append(payload))

    context.on("requestfinished", on_finished)
    page = context.new_page()
    page.on("websocket", on_socket)
    page.goto(f"{stack.site_url}/login.html")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(member.password)
    page.get_by_role("button", name="Log in", exact=True).click()
    push = stack.emulator.wait_for_request(member.authy_id, timeout=STEP_TIMEOUT_MS / 1000)

    pause = rng.uniform(*PAUSE_SECONDS)
    page.wait_for_timeout(pause * 1000)
    offset = _clock_offset_ms(page)
    approved_at = time.time() * 1000
    stack.emulator.approve(push["uuid"])
    page.wait_for_url("**/account.html", timeout=STEP_TIMEOUT_MS)
    seen_at = time.time() * 1000
    account_opened = page.evaluate(ACCOUNT_OPENED) - offset
    page.locator("#account-details").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
    shown_at = page.evaluate("window.__emailShownAt") - offset
    page.wait_for_load_state("networkidle", timeout=STEP_TIMEOUT_MS)

    polls = sorted(start for start, name in finished if name == "GET /login/status")
    return BrowserLogin(
        mode=mode,
        latency_ms=account_opened - approved_at,
        shown_ms=shown_at - approved_at,
        seen_ms=seen_at - approved_at,
        callback_ms=_callback_ms(stack, push["uuid"], approved_at),
        api_requests=collections.Counter(name for _, name in finished),
        site_requests=site,
        sockets=len(sockets),
        socket_messages=[m if isinstance(m, str) else repr(m) for m in messages],
        status_poll_gaps_ms=[b - a for a, b in zip(polls, polls[1:], strict=False)],
        timeline=sorted((round(start - approved_at), name) for start, name in finished),
        pause_s=pause,
    )


def _clock_offset_ms(page):
    """The page's clock minus ours, in ms (half a round trip of uncertainty)."""
    before = time.time() * 1000
    theirs = page.evaluate("performance.timeOrigin + performance.now()")
    after = time.time() * 1000
    return theirs - (before + after) / 2


def _callback_ms(stack, request_uuid, approved_at):
    deliveries = stack.emulator.callback_state()["deliveries"]
    found = [d for d in deliveries if d["uuid"] == request_uuid and d["ok"]]
    return found[-1]["at"] * 1000 - approved_at if found else None


def run_logins(browser, stack, members, mode, deadline, seed=0):
    """Log each member in once in ``mode``, until done or ``deadline`` (monotonic)."""
    rng = random.Random(f"{seed}-{mode}")  # noqa: S311 - pauses, not secrets
    done = []
    for member in members:
        if time.monotonic() >= deadline:
            break
        done.append(browser.log_in(stack, member, mode, rng))
    return done
