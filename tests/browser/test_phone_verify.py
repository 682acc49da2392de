"""The phone page's Verify side, as a person uses it: codes texted to a number, and an
authenticator app set up by pasting the key Verify gave. The emulator runs alone here,
on a clock the test holds still and moves."""

import threading

import pytest
import requests
from playwright.sync_api import expect
from werkzeug.serving import make_server

from devstack.emulator import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, create_app, totp

PHONE = "+15017122661"
IDENTITY = "0f8fad5b-d9cb-469f-a165-70867728950e"


class Clock:
    def __init__(self):
        self.now = 1_700_000_005.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def emulator(clock):
    """The emulator over HTTP; yields its base URL."""
    server = make_server("127.0.0.1", 0, create_app("k", clock=clock), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(emulator, page):
    """The watched tab, opened after the emulator starts so that its checks run, and its
    context closes, before the emulator stops: the phone page polls its accounts, and a
    poll refused by a stopped server would be the test's teardown, not the page."""
    return page


@pytest.fixture
def twilio(emulator):
    """Verify's API with the local credentials: ``twilio("POST", path, data={...})``."""
    session = requests.Session()
    session.auth = (LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN)

    def call(method, path, **kwargs):
        response = session.request(method, emulator + path, timeout=5, **kwargs)
        assert response.ok, response.text
        return response.json()

    yield call
    session.close()


@pytest.fixture
def service(twilio):
    return twilio("POST", "/v2/Services", data={"FriendlyName": "Twofold (local)"})["sid"]


def test_a_texted_and_a_called_code_show_on_the_numbers_phone(page, emulator, twilio, service):
    path = f"/v2/Services/{service}/Verifications"
    twilio("POST", path, data={"To": PHONE, "Channel": "sms"})
    twilio("POST", path, data={"To": PHONE, "Channel": "call"})
    [code] = {
        m["code"]
        for m in requests.get(f"{emulator}/emulator/messages", timeout=5).json()["messages"]
    }
    page.goto(f"{emulator}/phone")
    phone = page.get_by_role("region", name=f"Phone of {PHONE}")
    expect(phone.get_by_text(f"Your Twofold (local) verification code is: {code}")).to_be_visible()
    expect(phone.get_by_text("Voice call")).to_be_visible()
    expect(phone.locator(".message-code")).to_have_text([code, code])
    expect(page.locator("#no-users")).to_be_hidden()


def test_a_person_adds_the_key_and_reads_codes_that_verify(page, emulator, twilio, service, clock):
    factors = f"/v2/Services/{service}/Entities/{IDENTITY}/Factors"
    factor = twilio("POST", factors, data={"FactorType": "totp", "FriendlyName": "ada@example.com"})
    page.goto(f"{emulator}/phone")
    page.get_by_label("Key or otpauth URI").fill(factor["binding"]["uri"])
    page.get_by_role("button", name="Add account").click()
    account = page.get_by_role(
        "listitem", name="Authenticator account Twofold (local): ada@example.com"
    )
    expected = requests.get(
        f"{emulator}/emulator/verify/factors/{factor['sid']}/totp", timeout=5
    ).json()
    expect(account.locator(".account-code")).to_have_text(expected["code"])
    shown = account.locator(".account-code").inner_text()
    verified = twilio("POST", f"{factors}/{factor['sid']}", data={"AuthPayload": shown})
    assert verified["status"] == "verified"

    clock.now += 30  # the next step: the page shows the next code without a reload
    following = requests.get(
        f"{emulator}/emulator/verify/factors/{factor['sid']}/totp", timeout=5
    ).json()
    expect(account.locator(".account-code")).to_have_text(following["code"])
    account.get_by_role("button", name="Remove").click()
    expect(account).to_have_count(0)


def test_a_bare_key_works_too_and_the_name_can_be_given(page, emulator, clock):
    page.goto(f"{emulator}/phone")
    page.get_by_label("Key or otpauth URI").fill("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ")
    page.get_by_label("Account name (optional)").fill("Test key")
    page.get_by_role("button", name="Add account").click()
    account = page.get_by_role("listitem", name="Authenticator account Test key")
    expected = totp.code_at(b"12345678901234567890", clock.now, digits=6)  # RFC 6238's key
    expect(account.locator(".account-code")).to_have_text(expected)
    expect(page.get_by_label("Key or otpauth URI")).to_have_value("")


@pytest.mark.allow_console(r"400 \(BAD REQUEST\)")
def test_a_key_that_is_not_one_is_explained(page, emulator):
    page.goto(f"{emulator}/phone")
    page.get_by_label("Key or otpauth URI").fill("otpauth://hotp/ada?secret=GEZDGNBVGY3TQOJQ")
    page.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("alert")).to_have_text("only otpauth://totp/ URIs are supported")
    expect(page.get_by_role("listitem")).to_have_count(0)
