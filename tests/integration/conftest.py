"""The whole local stack, once per session, and a small client for our HTTP API.

Fixtures chain: ``stack`` → ``api`` → ``member`` (a signed-up user with the Authy app);
``verify_stack`` is the same stack on Twilio Verify.
Tests that change the emulator (callback off, faults) restore it in their fixtures.
"""

import re
import secrets
import uuid

import pytest
import requests

from devstack import members
from devstack.stack import Stack

PASSWORD = "correct horse battery staple"
TIMEOUT = 20  # seconds for a condition on the real stack: a callback, a status poll


@pytest.fixture(scope="session")
def stack():
    with Stack() as running:
        yield running


@pytest.fixture(scope="session")
def verify_stack():
    """The whole stack on Twilio Verify (the emulator's Verify v2)."""
    with Stack(provider="verify") as running:
        yield running


class Api:
    """Our HTTP API (docs/api.md) over real HTTP."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()

    def call(self, method, path, token=None, json=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.session.request(
            method, self.base_url + path, json=json, headers=headers, timeout=(2, 20)
        )

    def ok(self, method, path, token=None, json=None, status=200):
        response = self.call(method, path, token, json)
        assert response.status_code == status, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def signup(self, email, name="Ada Lovelace", phone=None):
        body = {
            "name": name,
            "email": email,
            "password": PASSWORD,
            "country_code": 1,
            # a number of its own: texts to one number are budgeted across accounts
            "phone": phone or f"201555{secrets.randbelow(10_000):04d}",
        }
        return self.ok("POST", "/signup", json=body, status=201)["challenge"]

    def login(self, email):
        body = {"email": email, "password": PASSWORD}
        return self.ok("POST", "/login", json=body)["challenge"]

    def status(self, challenge):
        return self.ok("GET", "/login/status", token=challenge["token"])

    def send_code(self, challenge, via="sms"):
        return self.ok("POST", "/login/token", token=challenge["token"], json={"via": via})

    def verify(self, challenge, code):
        return self.call("POST", "/login/verify", token=challenge["token"], json={"token": code})

    def account(self, session):
        return self.ok("GET", "/account", token=session["token"])


@pytest.fixture
def api(stack):
    api = Api(stack.api_url)
    yield api
    api.session.close()


@pytest.fixture
def email(request):
    """An email no other test uses."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:30]
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def authy_id_of(stack, email):
    return members.authy_id_of(stack, email)


def session_when_approved(stack, api, challenge):
    """Poll GET /login/status until it hands out the session."""
    return members.session_when_approved(stack, challenge, api.session)


@pytest.fixture
def member(stack, api, email):
    """A user who signed up and approved the signup push; the Authy app is installed."""
    return members.sign_up(stack, email=email, http=api.session)


@pytest.fixture
def callback_off(stack):
    """Authy's callback to the API is turned off, as after three failed deliveries."""
    stack.emulator.set_callback(enabled=False)
    yield
    stack.emulator.set_callback(enabled=True, url=f"{stack.api_url}/authy/callback", method="POST")


@pytest.fixture
def onetouch_failing(stack):
    """Authy answers 500 to every new OneTouch request."""
    stack.emulator.fault("onetouch_create", status=500)
    yield
    stack.emulator.clear_faults()
