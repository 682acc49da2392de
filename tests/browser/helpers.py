"""What the browser tests do again and again: make a member, log in, play the phone."""

import json
import re
import secrets
import threading
import time

from playwright.sync_api import expect
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from devstack import members
from devstack.members import PASSWORD, Member, unique_email, us_phone  # noqa: F401 - for tests

ACCOUNT_URL = re.compile(r"/account\.html$")
LOGIN_URL = re.compile(r"/login\.html$")


def authy_id_for(stack, email):
    """The emulator's id for the user registered with ``email`` (waits for the signup)."""
    return members.authy_id_of(stack, email)


def create_member(stack, name="Ada Lovelace"):
    """Sign up through the API and prove the phone through the emulator, as a set-up step."""
    return members.sign_up(stack, name=name)


def log_in(page, site_url, member):
    page.goto(f"{site_url}/login.html")
    submit_login(page, member)


def submit_login(page, member):
    """Fill in and send the login form of the page already open."""
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(member.password)
    page.get_by_role("button", name="Log in", exact=True).click()


def phone_of(phone_page, email):
    """The virtual phone of one user, on the emulator's phone page."""
    return phone_page.get_by_role("region", name=f"Phone of {email}")


def answer_on_phone(phone_page, email, button):
    """Press Approve or Deny on the user's pending OneTouch request; return the request."""
    request = phone_of(phone_page, email).get_by_role("article")
    press = request.get_by_role("button", name=button)
    expect(press).to_be_enabled()
    press.click()
    expect(request).to_contain_text("Approved" if button == "Approve" else "Denied")
    return request


def new_message(stack, authy_id, before):
    """The code of the first text or call sent to ``authy_id`` after ``before`` messages."""

    def arrived():
        messages = stack.emulator.messages(authy_id)
        return messages[before] if len(messages) > before else None

    return stack.emulator.wait_for(arrived, message=f"a new message to {authy_id}")


def wrong_code(right):
    return "000000" if right != "000000" else "111111"


def expect_account(page, member):
    expect(page).to_have_url(ACCOUNT_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {member.name}")
    expect(page.locator("#account-email")).to_have_text(member.email)


# Counted in the page when fetch is called, so a stray poll can't slip past an assertion.
COUNT_STATUS_FETCHES = """() => {
    window.statusFetches = 0;
    const realFetch = window.fetch;
    window.fetch = (url, options) => {
        if (String(url).endsWith("/login/status")) window.statusFetches += 1;
        return realFetch(url, options);
    };
}"""


def wait_until(page, condition, what, timeout=15):
    """Let Playwright deliver the page's events until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        page.wait_for_timeout(25)  # lets queued events through; the loop is the wait


def session_storage(page):
    return json.loads(page.evaluate("JSON.stringify(Object.assign({}, sessionStorage))"))


class FakeApi:
    """The API as a table of canned answers, for page tests that need no stack.

    ``on(method, path, *answers)``: each call takes the next answer, the last one repeats.
    An answer is ``(status, body)``, ``(status, body, headers)``, or "abort" (network error).
    A body that is a str is sent as text/html.
    """

    def __init__(self, base):
        self.base = base  # the site's /api: same origin, so no CORS to play
        self.answers = {}
        self.calls = []

    def on(self, method, path, *answers):
        self.answers[(method, path)] = list(answers)

    def called(self, method, path):
        return [call for call in self.calls if call[:2] == (method, path)]

    def handle(self, route):
        request = route.request
        path = request.url[len(self.base) :]
        self.calls.append((request.method, path, request.post_data))
        queue = self.answers.get((request.method, path))
        if not queue:
            return route.fulfill(
                status=404, json={"error": {"code": "not_found", "message": "Not faked."}}
            )
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if answer == "abort":
            return route.abort("connectionrefused")
        status, body, headers = (*answer, {})[:3]
        if isinstance(body, str):
            return route.fulfill(
                status=status, headers=headers, body=body, content_type="text/html"
            )
        return route.fulfill(status=status, headers=headers, json=body)


def challenge_answer(method="onetouch", request_code="K7P-2QX"):
    challenge = {
        "token": "challenge-" + secrets.token_hex(8),
        "method": method,
        "expires_in": 300,
        "request_code": request_code,
        "code_sent": method == "sms",
    }
    if method == "onetouch":  # the session its approval opens, named in advance
        challenge["session_token"] = "session-" + secrets.token_hex(8)
    return {"challenge": challenge}


def status_answer(status="pending", method="onetouch", resend_in=0, **extra):
    return {
        "status": status,
        "method": method,
        "expires_in": 280,
        "attempts_left": 5,
        "resend_in": resend_in,
        "sends_left": 5,
        **extra,
    }


ACCOUNT = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+1 ••• ••• 0123",
    "email_proven": True,
    "email_unproven_until": None,
    "member_since": "2024-03-01T10:00:00Z",
    "last_login": {"at": "2025-01-02T09:30:00Z", "method": "onetouch"},
}

SECURITY = {
    "phone": {"number": "+1 ••• ••• 0123", "texts_and_calls": True},
    "authenticator": {"offered": False, "added": None, "added_at": None},
    "passkeys": [],
    "recovery_codes_left": 0,
    "browsers": [],
    "proven_until": None,
}


def account_answer(activity=None):
    """GET /account's one answer: the account, its security and its recent activity."""
    return {**ACCOUNT, "security": SECURITY, **(ACTIVITY if activity is None else activity)}


ACTIVITY = {
    "events": [
        {
            "at": "2025-01-02T09:30:00Z",
            "event": "login_succeeded",
            "method": "onetouch",
            "ip": "203.0.113.7",
            "browser": "Chrome on Linux",
        },
        {
            "at": "2025-01-02T09:29:40Z",
            "event": "push_sent",
            "method": "onetouch",
            "ip": "203.0.113.7",
            "browser": "Chrome on Linux",
        },
    ]
}


class FakeSocket:
    """The API's WebSocket, played by a local server, for page tests that need no stack.

    What it does when a page connects depends on ``mode``, read per connection:
    "pending" answers each message with ``{"status": "pending"}`` (as the API does a
    watch); "error" answers ``{"error": "challenge_invalid"}``; "garbled" answers text
    that is not JSON; "silent" never answers; "hang-up" closes as soon as it is open.
    ``push(payload)`` sends to the page later. Waits are on conditions, with a timeout.
    """

    MODES = ("pending", "error", "garbled", "silent", "hang-up")

    def __init__(self, mode="pending"):
        self.mode = mode
        self.paths = []  # the URL path each socket asked for
        self.origins = []
        self.received = []  # every message from a page, as text
        self.closed = 0  # sockets that have ended
        self._live = []
        self._changed = threading.Condition()
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for connection in list(self._live):
            connection.close()
        self._server.shutdown()
        self._thread.join(timeout=10)

    def _note(self, change):
        with self._changed:
            change()
            self._changed.notify_all()

    def _handle(self, connection):
        def opened():
            self.paths.append(connection.request.path)
            self.origins.append(connection.request.headers.get("Origin"))
            self._live.append(connection)

        def ended():
            self._live.remove(connection)
            self.closed += 1

        self._note(opened)
        try:
            self._converse(connection, self.mode)
        except ConnectionClosed:
            pass
        finally:
            self._note(ended)

    def _converse(self, connection, mode):
        assert mode in self.MODES, mode
        if mode == "hang-up":
            connection.close()
            return
        for message in connection:
            if mode == "pending":
                connection.send(json.dumps({"status": "pending"}))
            elif mode == "error":
                connection.send(json.dumps({"error": "challenge_invalid"}))
            elif mode == "garbled":
                connection.send("<html>Bad gateway</html>")
            # Noted once answered, so a test that waits for it can push what comes next.
            self._note(lambda message=message: self.received.append(message))

    def wait_for(self, condition, what, timeout=15):
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise AssertionError(f"the fake socket waited {timeout} s for {what}")

    def watches(self):
        """The page's messages, parsed."""
        return [json.loads(message) for message in self.received]

    def _connected(self):
        self.wait_for(lambda: len(self._live) == 1, "one page connected")
        return self._live[0]

    def push(self, payload):
        """Send ``payload`` (JSON) to the one page connected now."""
        self._connected().send(json.dumps(payload))

    def drop(self):
        """Close the one page's socket from the server's end."""
        self._connected().close(1011, "going away")


class Traffic:
    """What one tab said to the API and heard on its WebSocket, in the order it happened.

    ``api_url`` is the API as the page calls it (the site's ``/api``). Requests and socket
    frames come from Playwright's events (one channel, so their order holds); CORS
    preflights, which Playwright does not report, are counted from Chromium's own network
    events (there should be none: the API is on the page's origin).
    """

    def __init__(self, page, api_url):
        self.api_url = api_url
        self.timeline = []  # ("api", method, path) | ("frame", message) | ("mark", name)
        self.sockets = []  # the URL of every WebSocket the tab opened
        self.sent = []  # what the tab sent on them, parsed
        self.preflights = []
        page.on("request", self._on_request)
        page.on("websocket", self._on_socket)
        page.on("framenavigated", self._on_navigated)
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._on_network_request)
        cdp.send("Network.enable")

    def _on_request(self, request):
        if request.url.startswith(self.api_url + "/"):
            self.timeline.append(("api", request.method, request.url[len(self.api_url) :]))

    def _on_network_request(self, event):
        request = event["request"]
        if request["method"] == "OPTIONS" and request["url"].startswith(self.api_url + "/"):
            self.preflights.append(request["url"][len(self.api_url) :])

    def _on_socket(self, socket):
        self.sockets.append(socket.url)
        socket.on("framesent", lambda payload: self.sent.append(json.loads(payload)))
        socket.on(
            "framereceived", lambda payload: self.timeline.append(("frame", json.loads(payload)))
        )

    def _on_navigated(self, frame):
        if frame.parent_frame is None:
            self.mark(f"at {frame.url.rsplit('/', 1)[-1]}")

    def mark(self, name):
        """Note a moment (``"approval"``) in the timeline."""
        self.timeline.append(("mark", name))

    def frames(self):
        return [entry[1] for entry in self.timeline if entry[0] == "frame"]

    def api_requests(self):
        return [entry[1:] for entry in self.timeline if entry[0] == "api"]

    def count(self, method, path):
        return self.api_requests().count((method, path))

    def between(self, first, last):
        """The timeline after mark ``first`` and before the next mark ``last``."""
        start = self.timeline.index(("mark", first)) + 1
        end = self.timeline.index(("mark", last), start)
        return self.timeline[start:end]
