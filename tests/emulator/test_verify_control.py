"""The control API's Verify side, the shared message list, the authenticator app, and
EmulatorControl's Verify methods over real HTTP."""

import base64

import pytest
import requests

from devstack.emulator import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, totp
from devstack.emulator_client import ControlError, EmulatorControl
from tests.emulator.conftest import PHONE

IDENTITY = "user-0000-0001"
RFC_KEY = base64.b32encode(b"12345678901234567890").decode()


def test_messages_of_both_vendors_come_oldest_first(authy, verify, client, clock, app_user):
    service_sid = verify.service()
    authy.get(f"/protected/json/sms/{app_user}?force=true")
    clock.advance(1)
    verify.start(service_sid)
    clock.advance(1)
    authy.get(f"/protected/json/call/{app_user}?force=true")
    everything = client.get("/emulator/messages").get_json()["messages"]
    assert [(m["vendor"], m["via"]) for m in everything] == [
        ("authy", "sms"),
        ("verify", "sms"),
        ("authy", "call"),
    ]
    mine = client.get(f"/emulator/messages?authy_id={app_user}").get_json()["messages"]
    assert {m["vendor"] for m in mine} == {"authy"}
    to = client.get("/emulator/messages", query_string={"to": PHONE}).get_json()["messages"]
    assert [m["vendor"] for m in to] == ["verify"]
    assert client.get("/emulator/messages?vendor=fax").status_code == 400


def test_verifications_are_listed_and_expired(verify, client, clock):
    service_sid = verify.service()
    sid = verify.start(service_sid).get_json()["sid"]
    clock.advance(100)
    [view] = client.get("/emulator/verify/verifications?status=pending").get_json()["verifications"]
    assert (view["sid"], view["to"], view["sends"], view["seconds_left"]) == (sid, PHONE, 1, 500)
    expired = client.post(f"/emulator/verify/verifications/{sid}/expire").get_json()
    assert expired["verification"]["status"] == "expired"
    assert verify.check(service_sid, view["code"]).status_code == 404
    assert client.post(f"/emulator/verify/verifications/{sid}/expire").status_code == 409
    assert client.post("/emulator/verify/verifications/VEnope/expire").status_code == 404
    assert client.get("/emulator/verify/verifications?status=odd").status_code == 400


def test_a_factors_current_code_is_readable(verify, client, clock):
    service_sid = verify.service()
    path = f"/v2/Services/{service_sid}/Entities/{IDENTITY}/Factors"
    made = verify.post(path, FactorType="totp", FriendlyName="ada").get_json()
    [listed] = client.get(f"/emulator/verify/factors?identity={IDENTITY}").get_json()["factors"]
    assert listed["uri"] == made["binding"]["uri"]
    shown = client.get(f"/emulator/verify/factors/{made['sid']}/totp").get_json()
    secret = base64.b32decode(made["binding"]["secret"])  # 20 bytes: 32 characters, no padding
    assert shown["code"] == totp.code_at(secret, clock.now, digits=6)
    assert client.get("/emulator/verify/factors/YFnope/totp").status_code == 404


def test_the_authenticator_is_driven_over_the_control_api(client):
    added = client.post("/emulator/authenticator/accounts", json={"key": RFC_KEY, "label": "ada"})
    assert added.status_code == 201
    account = added.get_json()["account"]
    [listed] = client.get("/emulator/authenticator/accounts").get_json()["accounts"]
    assert listed["code"] == account["code"]
    bad = client.post("/emulator/authenticator/accounts", json={"key": "nope"})
    assert bad.status_code == 400
    assert "Base32" in bad.get_json()["error"]
    assert client.post("/emulator/authenticator/accounts", json=["x"]).status_code == 400
    assert client.delete(f"/emulator/authenticator/accounts/{account['id']}").status_code == 200
    assert client.delete(f"/emulator/authenticator/accounts/{account['id']}").status_code == 404


def test_reset_forgets_verify_and_the_authenticator(verify, client):
    verify.start(verify.service())
    client.post("/emulator/authenticator/accounts", json={"key": RFC_KEY})
    client.post("/emulator/reset")
    assert client.get("/emulator/verify/services").get_json() == {"services": []}
    assert client.get("/emulator/messages").get_json() == {"messages": []}
    assert client.get("/emulator/authenticator/accounts").get_json() == {"accounts": []}


# EmulatorControl over HTTP


@pytest.fixture
def control(served):
    control = EmulatorControl(served)
    yield control
    control.session.close()


@pytest.fixture
def twilio(served):
    session = requests.Session()
    session.auth = (LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN)
    yield lambda method, path, **kw: session.request(method, served + path, timeout=5, **kw)
    session.close()


def test_emulator_control_reads_verify(control, twilio):
    service_sid = twilio("POST", "/v2/Services", data={"FriendlyName": "Twofold"}).json()["sid"]
    assert [s["sid"] for s in control.verify_services()] == [service_sid]
    assert control.latest_verify_code(PHONE) is None
    twilio(
        "POST", f"/v2/Services/{service_sid}/Verifications", data={"To": PHONE, "Channel": "sms"}
    )
    [message] = control.verify_messages(PHONE)
    assert control.latest_verify_code(PHONE) == message["code"]
    [pending] = control.verifications(to=PHONE, status="pending")
    assert control.expire_verification(pending["sid"])["status"] == "expired"
    with pytest.raises(ControlError, match="409"):
        control.expire_verification(pending["sid"])

    path = f"/v2/Services/{service_sid}/Entities/{IDENTITY}/Factors"
    made = twilio("POST", path, data={"FactorType": "totp", "FriendlyName": "ada"}).json()
    [factor] = control.factors(identity=IDENTITY)
    assert factor["sid"] == made["sid"]
    assert set(control.factor_totp(made["sid"])) == {"code", "seconds_left"}
    assert control.challenges(identity=IDENTITY) == []


def test_emulator_control_drives_the_authenticator(control):
    account = control.add_authenticator_account(RFC_KEY, label="ada")
    assert [a["id"] for a in control.authenticator_accounts()] == [account["id"]]
    control.remove_authenticator_account(account["id"])
    assert control.authenticator_accounts() == []
    with pytest.raises(ControlError, match="400"):
        control.add_authenticator_account("not a key")
