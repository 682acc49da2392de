"""Browser tests: Debian's Chromium, driven by Playwright, against the site.

Fixtures chain: ``browser`` → ``context`` → ``page`` (watched: any console error, page
error or dialog fails the test, and so does a token in a URL, the console or localStorage,
where only a remembered browser's own token may be kept).
``stack`` starts the whole local stack once per session; ``offline_site`` serves the site
alone (devstack's site server), its API (``/api`` on the site's origin) faked per test with
``fake_api``; ``socket_site`` and ``socket_api`` do the same with a WebSocket as well,
played by ``fake_socket``. A page that asks any other origin for anything fails its test:
the site and its API share one origin, as in production.
"""

import contextlib
import itertools
import json
import re
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from devstack import chromium
from devstack.site import make_server as make_site_server
from devstack.site import public_url
from tests.browser.helpers import FakeApi, FakeSocket, create_member
from tests.site_modules import graph

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PRELOADED = graph("account.js")  # the account page's modules, which login.html preloads
DESKTOP = {"width": 1280, "height": 900}
# Where the site server sends /api/*: nothing answers on the discard port, so a request the
# fake API does not route fails fast (502).
UNROUTED_API = "http://127.0.0.1:9"

# Waits are for conditions, not for luck; some conditions (a push expiring, a callback
# arriving) take a few seconds on the real stack.
expect.set_options(timeout=15_000)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "allow_console(*patterns): console errors matching these regular expressions are "
        "expected (Chromium logs every 4xx/5xx answer to fetch as a console error)",
    )


# --- the browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def viewport():
    """Override (e.g. with ``parametrize``) to test another screen size."""
    return DESKTOP


@pytest.fixture
def context(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="UTC")
    yield context
    context.close()


class PageWatch:
    """Everything a page did that a test must not let pass unnoticed."""

    def __init__(self, allowed_console):
        self.allowed = [re.compile(pattern) for pattern in allowed_console]
        self.problems = []
        self.dialogs = []
        self.console = []
        self.urls = []
        self.tokens = set()
        self.navigations = []

    def attach(self, context, page):
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("dialog", self.on_dialog)
        page.on("framenavigated", self.on_navigated)
        page.on("websocket", lambda socket: self.urls.append(socket.url))
        context.on("request", self.on_request)

    def on_console(self, message):
        self.console.append(message.text)
        if message.type != "error" or any(p.search(message.text) for p in self.allowed):
            return
        if _preload_cut_short(message):
            return
        self.problems.append(f"console error: {message.text} at {message.location}")

    def on_dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_navigated(self, frame):
        if frame.parent_frame is None:
            self.navigations.append(frame.url)
            self.urls.append(frame.url)

    def on_request(self, request):
        self.urls.append(request.url)
        if not request.is_navigation_request():
            page_origin = _origin(request.frame.url)
            if _origin(request.url) != page_origin:
                self.problems.append(f"cross-origin request from {page_origin}: {request.url}")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            self.tokens.add(token)

    def leaks(self, local_storage):
        """Where a bearer token showed up that it must never be."""
        found = []
        for token in self.tokens:
            found += [f"token in URL {url}" for url in self.urls if token in url]
            found += [f"token in console: {text}" for text in self.console if token in text]
            if token in local_storage:
                found.append("token in localStorage")
        return found


def _preload_cut_short(message):
    """The login page's early fetch of the account page (its modules, which its head
    names, and account.html, fetched while the phone is read), cut off because the test
    ended and its site server stopped mid-fetch: not the page misbehaving (if the account
    page cannot load them, its own tests fail)."""
    path = urllib.parse.urlsplit((message.location or {}).get("url", "")).path
    early = path == "/account.html" or (
        re.fullmatch(r"/js/[\w-]+\.js", path) is not None and path[len("/js/") :] in PRELOADED
    )
    cut = re.search(r"net::ERR_CONNECTION_(RESET|REFUSED|CLOSED)", message.text)
    return early and cut is not None


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _local_storage(page):
    if page.is_closed() or not page.url.startswith("http"):
        return ""
    return page.evaluate("JSON.stringify(Object.entries(localStorage))")


@pytest.fixture
def page(request, context, shot):
    """A tab whose console errors, page errors, dialogs and token leaks fail the test."""
    allowed = [p for mark in request.node.iter_markers("allow_console") for p in mark.args]
    watch = PageWatch(allowed)
    page = context.new_page()
    watch.attach(context, page)
    page.watch = watch
    yield page
    if not page.is_closed():
        shot(page, "last")
        storage = _local_storage(page)
        kept = {key for key, _ in json.loads(storage or "[]")}
        assert kept <= {"twofold.browser"}, f"localStorage holds only a remembered browser: {kept}"
    else:
        storage = ""
    problems = watch.problems + [f"dialog {d}" for d in watch.dialogs] + watch.leaks(storage)
    if problems:
        pytest.fail("the page misbehaved:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def shot(request):
    """``shot(page, "name")`` saves a full-page screenshot under screenshots/<test>/."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)  # only this run's pictures
    counter = itertools.count(1)

    def save(page, name):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{next(counter):02d}-{name}.png", full_page=True)

    return save


@pytest.fixture
def device(context, page):
    """Chromium's virtual authenticator for ``page`` (the DevTools protocol's WebAuthn
    domain): a platform authenticator that keeps discoverable credentials and verifies its
    user; new, it holds no passkey. ``device.credentials()`` lists what it keeps."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    class Device:
        id = added["authenticatorId"]

        def credentials(self):
            return cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]

    yield Device()
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]})
    cdp.detach()


# --- the whole stack ------------------------------------------------------------------


@pytest.fixture(scope="session")
def stack():
    """The local stack (DynamoDB, Authy emulator, chalice local, the site) on free ports."""
    from devstack.stack import Stack

    with Stack() as running:
        yield running


@pytest.fixture(scope="session")
def verify_stack():
    """The same stack on Twilio Verify (the emulator's Verify v2)."""
    from devstack.stack import Stack

    with Stack(provider="verify") as running:
        yield running


@pytest.fixture
def member(stack):
    """A member whose signup proved the phone, with the Authy app (helpers.create_member)."""
    return create_member(stack)


@pytest.fixture
def phone(browser, stack, shot):
    """The emulator's virtual phone page, in a window of its own (its console is not ours)."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(stack.emulator_url + "/phone")
    yield page
    shot(page, "phone")
    context.close()


# --- the site alone, with a fake API (and a fake WebSocket) ----------------------------


@contextlib.contextmanager
def serving_site(ws_url=None):
    """The site's origin, served by devstack's site server (config.js naming ``ws_url``)."""
    server = make_site_server(0, UNROUTED_API, ws_url=ws_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield public_url(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def route_fake_api(context, site):
    """Answer the pages' calls to ``<site>/api/...`` from the test."""
    api = FakeApi(f"{site}/api")
    context.route(f"{site}/api/**", api.handle)
    return api


@pytest.fixture(scope="session")
def offline_site():
    """The site's URL; its config.js names no WebSocket, so the pages poll."""
    with serving_site() as url:
        yield url


@pytest.fixture
def fake_api(context, offline_site):
    """Answer the site's API calls from the test: ``fake_api.on("GET", "/account", ...)``."""
    return route_fake_api(context, offline_site)


@pytest.fixture
def fake_socket():
    """A WebSocket server in the API's place; set ``mode`` before the page connects."""
    with FakeSocket() as socket:
        yield socket


@pytest.fixture
def ws_url(fake_socket):
    """Where config.js sends the pages' WebSocket (override to send it elsewhere)."""
    return fake_socket.url


@pytest.fixture
def socket_site(ws_url):
    """The site's URL, its config.js and CSP naming ``ws_url`` as the WebSocket."""
    with serving_site(ws_url) as url:
        yield url


@pytest.fixture
def socket_api(context, socket_site):
    """``fake_api`` for pages served by ``socket_site``."""
    return route_fake_api(context, socket_site)
