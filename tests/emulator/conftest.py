"""Fixtures for the emulator's contract tests: a fake clock, the app (in-process and over
real HTTP), Authy and Verify speakers, a callback receiver."""

import http.server
import json
import pathlib
import socket
import threading

import pytest
from werkzeug.serving import make_server

from devstack.emulator import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, create_app

# The real callbacks Authy sent (where they come from: docs/authy-api.md, "Test vectors").
VECTORS_PATH = pathlib.Path(__file__).resolve().parents[1] / "data" / "authy-callback-vectors.json"
API_KEY = "test-emulator-key"
START = 1_700_000_000.0
PHONE = "+15017122661"


class FakeClock:
    """A clock the tests move by hand, so expiry needs no sleeping."""

    def __init__(self, now=START):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


class AuthyClient:
    """The Flask test client with the API key set, speaking Authy's paths."""

    def __init__(self, client, api_key=API_KEY):
        self.client = client
        self.headers = {"X-Authy-API-Key": api_key}

    def get(self, path, **kwargs):
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path, **kwargs):
        return self.client.post(path, headers=self.headers, **kwargs)

    def new_user(self, email="ada@example.com", cellphone="555-123-4502", country_code=1):
        body = {"user": {"email": email, "cellphone": cellphone, "country_code": country_code}}
        response = self.post("/protected/json/users/new", json=body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["user"]["id"]

    def approval_request(self, authy_id, **params):
        body = {"message": "Log in to Twofold?", "seconds_to_expire": 120, **params}
        response = self.post(f"/onetouch/json/users/{authy_id}/approval_requests", json=body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["approval_request"]["uuid"]


class VerifyForms:
    """The Flask test client with Verify's Basic auth, posting Twilio's forms."""

    def __init__(self, client, credentials=(LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN)):
        self.client = client
        self.auth = credentials

    def get(self, path, **kwargs):
        return self.client.get(path, auth=self.auth, **kwargs)

    def post(self, path, **form):
        return self.client.post(path, data=form, auth=self.auth)

    def delete(self, path):
        return self.client.delete(path, auth=self.auth)

    def service(self, name="Twofold (local)", **form):
        response = self.post("/v2/Services", FriendlyName=name, **form)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["sid"]

    def start(self, service_sid, to=PHONE, channel="sms"):
        return self.post(f"/v2/Services/{service_sid}/Verifications", To=to, Channel=channel)

    def check(self, service_sid, code, to=PHONE):
        return self.post(f"/v2/Services/{service_sid}/VerificationCheck", To=to, Code=code)


def vector(name):
    """One of the real callbacks, by name."""
    vectors = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))["vectors"]
    [found] = [v for v in vectors if v["name"] == name]
    return found


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def app(clock):
    return create_app(API_KEY, clock=clock)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def authy(client):
    return AuthyClient(client)


@pytest.fixture
def emulator(app):
    return app.extensions["emulator"]


@pytest.fixture
def verify(client):
    return VerifyForms(client)


@pytest.fixture
def service_sid(verify):
    return verify.service()


@pytest.fixture
def served(app):
    """The same app over real HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_user(authy):
    """A user with the Authy app installed (the emulator's default)."""
    return authy.new_user()


@pytest.fixture
def sms_user(authy, client):
    """A user without the Authy app: codes come by text or call."""
    authy_id = authy.new_user(email="grace@example.com", cellphone="555-987-6511")
    client.post(f"/emulator/users/{authy_id}/app", json={"installed": False})
    return authy_id


class Receiver:
    """A local HTTP server that records every request and answers with scripted statuses."""

    def __init__(self):
        self.received = []
        self.statuses = []
        self.lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/authy/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def _handler(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                receiver.record(self)

            def do_POST(self):
                receiver.record(self)

            def log_message(self, *args):
                pass

        return Handler

    def record(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8")
        path, _, query = handler.path.partition("?")
        with self.lock:
            status = self.statuses.pop(0) if self.statuses else 200
            self.received.append(
                {
                    "method": handler.command,
                    "path": path,
                    "query": query,
                    "headers": dict(handler.headers),
                    "body": body,
                }
            )
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def requests(self):
        with self.lock:
            return list(self.received)


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def dead_url():
    """A loopback URL nobody listens on: every delivery there fails to connect."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/authy/callback"
