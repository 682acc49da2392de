"""chalicelib.vendors.authy.client over HTTP (`responses`): timeouts, retries, error mapping."""

import pytest
import requests
import responses

from chalicelib.errors import VendorRejected, VendorUnavailable
from chalicelib.vendors.authy.client import AuthyClient

BASE = "https://authy.test"
STATUS = f"{BASE}/protected/json/users/7/status"
SMS = f"{BASE}/protected/json/sms/7"
VERIFY = f"{BASE}/protected/json/verify/1234567/7"
OK_STATUS = {"status": {"registered": True}, "success": True}


class RecordingSession(requests.Session):
    """A real Session that remembers the timeout of every request."""

    def __init__(self):
        super().__init__()
        self.timeouts = []

    def request(self, *args, **kwargs):
        self.timeouts.append(kwargs.get("timeout"))
        return super().request(*args, **kwargs)


@pytest.fixture
def client():
    return AuthyClient(BASE, "key", session=RecordingSession())


@responses.activate
def test_every_call_has_connect_and_read_timeouts_and_the_key(client):
    responses.get(STATUS, json=OK_STATUS)
    assert client.has_app(7) is True
    assert client.http.session.timeouts == [(2.0, 4.0)]
    assert responses.calls[0].request.headers["X-Authy-API-Key"] == "key"


@responses.activate
def test_idempotent_reads_are_retried_after_a_5xx(client):
    responses.get(STATUS, status=503, json={"success": False})
    responses.get(STATUS, json=OK_STATUS)
    assert client.has_app(7) is True
    assert len(responses.calls) == 2


@responses.activate
def test_sends_are_never_retried(client):
    responses.get(SMS, status=503, json={"success": False})
    with pytest.raises(VendorUnavailable):
        client.send_code(7, "sms")
    assert len(responses.calls) == 1


@responses.activate
def test_a_read_timeout_is_not_retried(client):
    responses.get(STATUS, body=requests.ReadTimeout())
    with pytest.raises(VendorUnavailable):
        client.has_app(7)
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize(
    "answer",
    [
        {"body": "<html>oops</html>", "status": 200},
        {"json": [1, 2], "status": 200},
        {"json": {"success": False, "error_code": "60001"}, "status": 401},
        {"json": {"success": False, "error_code": "60003"}, "status": 429},
        {"body": requests.ConnectionError()},
    ],
)
def test_trouble_becomes_verification_unavailable(client, answer):
    responses.get(SMS, **answer)
    with pytest.raises(VendorUnavailable):
        client.send_code(7, "sms")


@responses.activate
def test_success_may_be_the_string_true(client):
    responses.get(VERIFY, json={"token": "is valid", "success": "true"})
    assert client.verify_code(7, "1234567") is True


@responses.activate
def test_a_wrong_code_is_false_not_an_error(client):
    responses.get(
        VERIFY,
        status=401,
        json={"success": False, "error_code": "60020", "message": "Token is invalid"},
    )
    assert client.verify_code(7, "1234567") is False


def test_a_code_that_is_not_digits_never_reaches_authy(client):
    assert client.verify_code(7, "12/../status") is False


@responses.activate
def test_a_user_authy_refuses_names_the_fields(client):
    responses.post(
        f"{BASE}/protected/json/users/new",
        status=400,
        json={
            "success": False,
            "error_code": "60027",
            "errors": {
                "message": "User was not valid",
                "email": "is invalid",
                "cellphone": "is invalid",
            },
        },
    )
    with pytest.raises(VendorRejected) as error:
        client.register_user("a@b.co", 1, "2015550123")
    assert set(error.value.fields) == {"email", "phone"}
