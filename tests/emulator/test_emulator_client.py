"""EmulatorControl against an emulator served over real HTTP."""

import pytest
import requests

from devstack.emulator_client import ControlError, EmulatorControl, wait_for
from tests.emulator.conftest import API_KEY


@pytest.fixture
def control(served):
    control = EmulatorControl(served + "/")
    yield control
    control.session.close()


@pytest.fixture
def authy(served):
    session = requests.Session()
    session.headers["X-Authy-API-Key"] = API_KEY
    yield lambda method, path, **kw: session.request(method, served + path, timeout=5, **kw)
    session.close()


@pytest.fixture
def authy_id(authy):
    body = {"user": {"email": "ada@example.com", "cellphone": "5551234502", "country_code": 1}}
    return authy("POST", "/protected/json/users/new", json=body).json()["user"]["id"]


def test_users_app_and_codes(control, authy, authy_id):
    assert [user["authy_id"] for user in control.users()] == [authy_id]
    assert control.set_app(authy_id, False)["app_installed"] is False
    with pytest.raises(ControlError, match="409"):
        control.totp(authy_id)
    control.set_app(authy_id, True)
    code = control.totp(authy_id)
    assert set(code) == {"code", "seconds_left"}
    assert authy("GET", f"/protected/json/verify/{code['code']}/{authy_id}").status_code == 200

    assert control.latest_code(authy_id) is None
    authy("GET", f"/protected/json/sms/{authy_id}?force=true")
    [message] = control.messages(authy_id=authy_id)
    assert control.latest_code(authy_id) == message["code"]
    assert control.messages(authy_id=authy_id + 1) == []


def test_approval_requests(control, authy, authy_id):
    path = f"/onetouch/json/users/{authy_id}/approval_requests"
    created = [authy("POST", path, json={"message": f"m{i}"}) for i in range(3)]
    uuids = [response.json()["approval_request"]["uuid"] for response in created]
    assert control.wait_for_request(authy_id)["uuid"] == uuids[-1]
    assert control.approve(uuids[0])["status"] == "approved"
    assert control.deny(uuids[1])["status"] == "denied"
    assert control.expire(uuids[2])["status"] == "expired"
    assert [r["uuid"] for r in control.approval_requests(status="denied")] == [uuids[1]]
    assert control.approval_requests(authy_id=authy_id, status="pending") == []
    with pytest.raises(ControlError, match="409"):
        control.approve(uuids[0])


def test_callback_faults_stats_and_reset(control, authy, authy_id):
    url = "http://127.0.0.1:9/cb"
    state = control.set_callback(enabled=False, url=url, method="GET")
    assert (state["enabled"], state["url"], state["method"]) == (False, url, "GET")
    assert control.callback_state()["deliveries"] == []
    [fault] = control.fault("sms", status=429, count=1)
    assert fault["status"] == 429
    assert authy("GET", f"/protected/json/sms/{authy_id}").status_code == 429
    assert control.clear_faults() == []
    assert control.stats()["calls"]["sms"] == 1
    control.reset()
    assert control.users() == []


def test_wait_for_returns_the_first_truthy_value():
    values = iter([None, 0, [], "ready"])
    assert wait_for(lambda: next(values), timeout=2, interval=0.001) == "ready"


def test_wait_for_fails_loudly(control):
    with pytest.raises(TimeoutError, match="a pending approval request for 7"):
        control.wait_for_request(7, timeout=0.2)


def test_wait_for_reports_the_last_error(control):
    def failing():
        return control.approve("no-such-request")

    with pytest.raises(TimeoutError, match="last error: POST .* HTTP 404"):
        wait_for(failing, timeout=0.2)
