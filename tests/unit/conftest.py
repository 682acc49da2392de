"""Fixtures for unit tests: moto in-process → tables → Authy over `responses` → client.

The environment is set here, before anything imports ``app`` or ``chalicelib.models``
(PynamoDB reads table names when the model classes are created).
"""

import json
import os

import pytest

UNIT_ENV = {
    "STAGE": "test",
    "TABLE_PREFIX": "twofold-unit",
    "AUTHY_API_URL": "https://authy.test",
    "AUTHY_API_KEY": "unit-test-api-key",
    "AUTHY_CALLBACK_URL": "https://api.example.test/authy/callback",
    "SITE_ORIGIN": "https://site.example.test",
    "APP_NAME": "Unit Login",
    "EMAIL_FROM": "no-reply@login.example.test",
    "WEBSOCKET_MANAGEMENT_URL": "https://ws0unit.execute-api.us-east-1.amazonaws.com",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
os.environ.update(UNIT_ENV)
os.environ.pop("DYNAMODB_HOST", None)

import moto  # noqa: E402
import responses  # noqa: E402

import devstack.aws  # noqa: E402
from chalicelib.context import RequestContext  # noqa: E402
from tests.unit.fake_authy import FakeAuthy  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def atomic_dynamodb():
    """Real DynamoDB applies each request atomically; moto does not lock, so make it."""
    with devstack.aws.atomic_dynamodb():
        yield


@pytest.fixture(autouse=True)
def environ_stays_real():
    """os.environ is still the process's own after each test (see the ``api`` fixture)."""
    environ = os.environ
    yield
    assert os.environ is environ, "a test left os.environ swapped for a copy"


@pytest.fixture(autouse=True)
def callbacks_arriving(monkeypatch):
    """Each test starts with no lost push callback seen (a Lambda instance remembers one)."""
    from chalicelib.second_step import lost_callbacks

    monkeypatch.setattr(lost_callbacks, "_seen_at", None)


class FrozenClock:
    """The app's clock, stopped: tests move it instead of ageing stored records."""

    def __init__(self, start):
        self.time = start

    def __call__(self):
        return self.time

    def advance(self, seconds):
        self.time += seconds


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """Every unit test runs on a stopped clock, set at the start of an hour.

    Rate limits count in fixed windows (15 minutes, an hour); on a running clock a test
    that fills one could straddle two and pass or fail by the minute it ran in.
    """
    from chalicelib import clock

    now = clock.now()
    stopped = FrozenClock(now - now % 3600)
    monkeypatch.setattr(clock, "now", stopped)
    return stopped


@pytest.fixture
def aws():
    with moto.mock_aws():
        yield


@pytest.fixture
def tables(aws):
    from chalicelib.models import create_tables

    create_tables()


@pytest.fixture
def authy(aws):
    """A fake Authy behind `responses`: every HTTP call the app makes is answered here.

    After ``aws``: moto mocks HTTP with `responses` too, and the mock started last wins.
    """
    fake = FakeAuthy(UNIT_ENV["AUTHY_API_URL"], UNIT_ENV["AUTHY_API_KEY"])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        fake.rsps = rsps  # for another vendor's fixture to add its routes
        yield fake


VERIFY_URL = "https://verify.test"
EMULATOR_URL = "https://emulator.test"


@pytest.fixture
def verify(authy, monkeypatch, frozen_clock):
    """The stage on Twilio Verify: the emulator's Verify v2 (in process, on our clock)
    behind ``responses``; returns the emulator's control client (texts, authenticator)."""
    import re
    from urllib.parse import urlsplit

    from chalicelib import config, vendors
    from chalicelib.vendors.verify import VerifyClient
    from devstack.emulator.app import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, create_app
    from devstack.emulator_client import EmulatorControl

    emulator = create_app("unused-authy-key", clock=frozen_clock).test_client()

    def forward(request):
        url = urlsplit(request.url)
        answer = emulator.open(
            url.path,
            method=request.method,
            query_string=url.query,
            data=request.body,
            headers=dict(request.headers),
        )
        return answer.status_code, dict(answer.headers), answer.get_data()

    pattern = re.compile(r"https://(verify|emulator)\.test/.*")
    for method in ("GET", "POST", "PUT", "DELETE"):
        authy.rsps.add_callback(method, pattern, callback=forward)
    service = VerifyClient(LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, api_url=VERIFY_URL).create_service(
        "Unit Login"
    )
    for name, value in {
        "FACTOR_PROVIDER": "verify",
        "VERIFY_API_URL": VERIFY_URL,
        "TWILIO_ACCOUNT_SID": LOCAL_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": LOCAL_AUTH_TOKEN,
        "VERIFY_SERVICE_SID": service.sid,
    }.items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()
    vendors.vendor.cache_clear()
    yield EmulatorControl(EMULATOR_URL)
    config.settings.cache_clear()
    vendors.vendor.cache_clear()


class Mailbox:
    """What the app sent through SES (moto's, in process), read as a mail client would."""

    def __init__(self):
        from moto.ses.models import ses_backends

        self.backends = ses_backends

    def emails(self, to=None):
        """Every email sent (to ``to``), oldest first: ``{to, subject, text, html, links}``."""
        from devstack import mailbox

        found = [mailbox.read(m["raw"], m["id"]) for m in mailbox.sent(self.backends)]
        return [e for e in found if to is None or to.lower() in e["to"]]

    def latest(self, to):
        found = self.emails(to)
        assert found, f"no email to {to}"
        return found[-1]

    def token(self, to, page, param="token"):
        """The token of the link to ``page`` (``#<param>=``) in the latest email to ``to``."""
        prefix = f"{UNIT_ENV['SITE_ORIGIN']}/{page}#{param}="
        (link,) = [link for link in self.latest(to)["links"] if link.startswith(prefix)]
        return link[len(prefix) :]


@pytest.fixture
def mailbox(aws):
    """The sender's domain verified in SES, as the deploy requires; the mailbox to read."""
    import boto3

    domain = UNIT_ENV["EMAIL_FROM"].rpartition("@")[2]
    boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity=domain)
    from chalicelib import mail

    mail._client.cache_clear()  # a client of an earlier test's mock would miss this one
    return Mailbox()


class Api:
    """The Chalice app through its test client, speaking JSON."""

    def __init__(self, http):
        self.http = http

    def request(self, method, path, body=None, token=None, headers=None, raw=None):
        all_headers = {
            "Content-Type": "application/json",
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0",
        }
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        if raw is None:
            raw = json.dumps(body) if body is not None else ""
        return self.http.request(method, path, headers=all_headers, body=raw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)


@pytest.fixture
def api(tables, authy, mailbox, tmp_path, monkeypatch):
    import contextlib

    from chalice.test import BaseClient, Client

    from app import app

    # An empty project dir: the test client must not copy a stage's env vars over ours.
    # With none to add, its swap of os.environ for a copy around each request is also
    # dropped: requests from several threads (the race tests) interleave those swaps and
    # could leave os.environ a plain dict for every later test.
    monkeypatch.setattr(BaseClient, "_patched_env_vars", lambda self, _: contextlib.nullcontext())
    with Client(app, project_dir=str(tmp_path)) as client:
        yield Api(client.http)


@pytest.fixture
def dynamodb_calls(monkeypatch):
    """Every DynamoDB operation PynamoDB sends from now on: (operation, table)."""
    from pynamodb.connection.base import Connection

    calls = []
    send = Connection.dispatch

    def dispatch(self, name, kwargs):
        calls.append((name, kwargs.get("TableName", "")))
        return send(self, name, kwargs)

    monkeypatch.setattr(Connection, "dispatch", dispatch)
    return calls


@pytest.fixture
def from_ip(monkeypatch):
    """Make the next requests come from ``ip``, as API Gateway's identity.sourceIp says."""
    from chalice.local import LambdaEventConverter

    def use(ip):
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)

    return use


CONTEXT = RequestContext(ip="203.0.113.9", user_agent="pytest")  # for calls below the routes

SIGNUP = {
    "name": "Ada Lovelace",
    "email": "Ada@Example.com",
    "password": "correct horse battery",
    "country_code": 1,
    "phone": "201-555-0123",
}


@pytest.fixture
def signup(api):
    """Sign a user up (the phone not yet proven); return the signup answer."""

    def do(**overrides):
        response = api.post("/signup", {**SIGNUP, **overrides})
        assert response.status_code == 201, response.body
        return json.loads(response.body)

    return do


@pytest.fixture
def user(api, signup, authy, mailbox):
    """A signed-up user who proved the email, with the Authy app installed and no push
    pending; the signup body."""
    authy.has_app = False  # the signup proves the phone by text, leaving pushes for logins
    try:
        answer = signup()
    finally:
        authy.has_app = True
    token = mailbox.token(SIGNUP["email"], "email.html")
    assert api.post("/email/prove", {"token": token}).status_code == 200
    return answer


@pytest.fixture
def login(api, user):
    """Log the user in; return the challenge."""

    def do(email=SIGNUP["email"], password=SIGNUP["password"]):
        response = api.post("/login", {"email": email, "password": password})
        assert response.status_code == 200, response.body
        return json.loads(response.body)["challenge"]

    return do


@pytest.fixture
def session(api, login):
    """A session token for the user, logged in by a texted code just now."""
    from tests.unit.fake_authy import RIGHT_CODE

    challenge = login()
    response = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])
    assert response.status_code == 200, response.body
    return json.loads(response.body)["session"]["token"]


@pytest.fixture
def authenticator():
    """A passkey authenticator in software, answering on the site's origin."""
    from tests.unit.soft_authenticator import SoftAuthenticator

    return SoftAuthenticator(UNIT_ENV["SITE_ORIGIN"])


@pytest.fixture
def add_passkey(api, authenticator):
    """Add a passkey made by ``authenticator`` to the account of ``session``; the response.

    ``create`` goes to ``authenticator.create`` (a wrong origin, no user verification…).
    """

    def do(session, name=None, **create):
        begun = api.post("/account/passkeys/options", token=session)
        assert begun.status_code == 200, begun.body
        begun = json.loads(begun.body)
        answer = {
            "ceremony": begun["ceremony"],
            "credential": authenticator.create(begun["options"], **create),
        }
        if name is not None:
            answer["name"] = name
        return api.post("/account/passkeys", answer, token=session)

    return do


def leave_claim(claimed_until, password_hash="x"):
    """Store a signup claim for ada@example.com, as a signup that died mid-way leaves it."""
    from chalicelib.models import User

    User(
        email="ada@example.com",
        state="claiming",
        claimed_until=claimed_until,
        name="x",
        password_hash=password_hash,
        country_code=1,
        phone="+12015550123",
        created_at=1.0,
    ).save()


def body(response):
    return json.loads(response.body) if response.body else None


def callback_body(uuid, authy_id, status="approved"):
    """A callback body shaped like the real ones in tests/data/authy-callback-vectors.json."""
    return {
        "authy_id": authy_id,
        "device_uuid": 2102943,
        "callback_action": "approval_request_status",
        "uuid": uuid,
        "status": status,
        "approval_request": {
            "transaction": {
                "details": {"Email": "ada@example.com"},
                "device_details": {},
                "hidden_details": {"challenge_id": "x"},
                "message": "Log in?",
                "status": status,
                "uuid": uuid,
                "encrypted": False,
            },
            "expiration_timestamp": 1513009800,
            "logos": None,
        },
        "device": {"id": 2102943, "os_type": "android", "city": None},
    }


@pytest.fixture
def send_callback(api):
    """POST (or GET) a callback signed as Authy would sign it; return the response."""
    from urllib.parse import urlencode

    from chalicelib import clock
    from chalicelib.vendors.authy import signature

    def do(
        uuid,
        authy_id,
        status="approved",
        *,
        method="POST",
        nonce=None,
        key=None,
        url=None,
        body=None,
    ):
        params = body if body is not None else callback_body(uuid, authy_id, status)
        nonce = str(int(clock.now())) if nonce is None else nonce
        raw = json.dumps(params)
        if method == "GET":
            pairs = list(signature._flatten(params, ""))
            sig = signature.sign(
                key or UNIT_ENV["AUTHY_API_KEY"],
                "GET",
                url or UNIT_ENV["AUTHY_CALLBACK_URL"],
                pairs,
                nonce,
            )
            headers = {"X-Authy-Signature": sig, "X-Authy-Signature-Nonce": nonce}
            return api.request("GET", "/authy/callback?" + urlencode(pairs), headers=headers)
        sig = signature.sign(
            key or UNIT_ENV["AUTHY_API_KEY"],
            "POST",
            url or UNIT_ENV["AUTHY_CALLBACK_URL"],
            signature.parse_json(raw),
            nonce,
        )
        headers = {"X-Authy-Signature": sig, "X-Authy-Signature-Nonce": nonce}
        return api.request("POST", "/authy/callback", raw=raw, headers=headers)

    return do
