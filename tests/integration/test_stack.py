"""devstack.stack: clear errors, and nothing left running after the stack stops."""

import json
import os
import pathlib
import socket
import sys

import pytest
import requests

from devstack.emulator import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN
from devstack.processes import Child, StackError
from devstack.stack import MUST_COME_FROM_STACK, Stack

VERIFY_SETTINGS = (
    "FACTOR_PROVIDER",
    "VERIFY_API_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "VERIFY_SERVICE_SID",
)


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_busy_port_is_a_one_line_error(busy_port):
    stack = Stack(api_port=busy_port)
    with pytest.raises(StackError) as caught:
        stack.start()
    message = str(caught.value)
    assert message == (
        f"port {busy_port} (api) is already in use on 127.0.0.1: "
        "stop what holds it or choose another port"
    )
    assert stack.children == []


def test_config_json_may_not_point_the_api_elsewhere(tmp_path):
    (tmp_path / ".chalice").mkdir()
    config = {
        "environment_variables": {"AUTHY_API_URL": "https://api.authy.com"},
        "stages": {"local": {"environment_variables": {"STAGE": "local"}}},
    }
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps(config))
    stack = Stack(project_dir=tmp_path)
    with pytest.raises(StackError, match="AUTHY_API_URL='https://api.authy.com'"):
        stack.start()
    assert stack.children == []


def test_a_child_that_dies_is_reported_with_its_log(tmp_path):
    script = "print('cannot open the widget'); raise SystemExit(3)"
    child = Child(
        "widget", [sys.executable, "-c", script], dict(os.environ), tmp_path, tmp_path / "w.log"
    )
    try:
        with pytest.raises(StackError) as caught:
            child.wait_until_answering("http://127.0.0.1:9/", deadline=float("inf"))
    finally:
        child.stop()
    assert "widget exited with code 3 while starting" in str(caught.value)
    assert "cannot open the widget" in str(caught.value)


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return False
    return True


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_stack_stops_every_process_it_started():
    """A stack of its own, to watch it stop."""
    with Stack() as own:
        pids = [child.process.pid for child in own.children]
        assert len(pids) == 5  # DynamoDB, emulator, API, WebSocket gateway, site
        assert all(alive(pid) for pid in pids)
        log_dir = own.log_dir
        urls = [own.site_url, own.api_url, own.emulator_url, own.dynamodb_url]
        urls += [own.ws_url, own.ws_management_url]
    assert not any(alive(pid) for pid in pids)
    assert not log_dir.exists()
    assert not any(listening(int(url.rsplit(":", 1)[1])) for url in urls)


# the provider


def test_a_provider_the_stack_does_not_know_is_refused():
    with pytest.raises(StackError, match="authy, verify"):
        Stack(provider="okta")


def ported(**options):
    """A stack with fixed ports, to read its settings without starting it."""
    ports = dict(site_port=1, api_port=2, emulator_port=3, dynamodb_port=4, ws_port=5)
    return Stack(**ports, ws_connections_port=6, **options)


def test_verify_settings_point_at_the_emulator():
    env = ported(provider="verify").environment()
    assert env["FACTOR_PROVIDER"] == "verify"
    assert env["VERIFY_API_URL"] == "http://127.0.0.1:3"
    assert (env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"]) == (
        LOCAL_ACCOUNT_SID,
        LOCAL_AUTH_TOKEN,
    )
    assert env["AUTHY_API_URL"] == "http://127.0.0.1:3"


def test_authy_keeps_its_settings_and_gets_no_verify_ones():
    env = ported().environment()
    assert env["FACTOR_PROVIDER"] == "authy"
    assert env["AUTHY_API_URL"] == "http://127.0.0.1:3"
    assert not {"VERIFY_API_URL", "TWILIO_ACCOUNT_SID", "VERIFY_SERVICE_SID"} & set(env)


def test_real_vendor_settings_in_the_shell_are_not_passed_on(monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "a-real-token")
    monkeypatch.setenv("VERIFY_SERVICE_SID", "VA" + "9" * 32)
    monkeypatch.setenv("FACTOR_PROVIDER", "verify")
    env = ported().environment()
    assert "TWILIO_AUTH_TOKEN" not in env and "VERIFY_SERVICE_SID" not in env
    assert env["FACTOR_PROVIDER"] == "authy"
    assert ported(provider="verify").environment()["TWILIO_AUTH_TOKEN"] == LOCAL_AUTH_TOKEN


def test_the_verify_names_are_guarded_against_config_json():
    assert set(VERIFY_SETTINGS) <= set(MUST_COME_FROM_STACK)


@pytest.mark.parametrize(
    "name, value",
    [("VERIFY_SERVICE_SID", "VA" + "1" * 32), ("VERIFY_API_URL", "https://verify.twilio.com")],
)
def test_config_json_may_not_set_verify_settings(tmp_path, name, value):
    (tmp_path / ".chalice").mkdir()
    config = {"stages": {"local": {"environment_variables": {name: value}}}}
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps(config))
    stack = Stack(project_dir=tmp_path, provider="verify")
    with pytest.raises(StackError, match=f"{name}='{value}'"):
        stack.start()
    assert stack.children == []


def environ_of(pid):
    raw = pathlib.Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)


def test_a_verify_stack_makes_its_service_and_hands_the_api_the_settings():
    with Stack(provider="verify") as own:
        [service] = own.emulator.verify_services()
        assert service == {
            "sid": own.verify_service_sid,
            "friendly_name": "Twofold (local)",
            "code_length": 6,
        }
        api = next(child for child in own.children if child.name == "api")
        seen = environ_of(api.process.pid)
        assert {name: seen[name] for name in VERIFY_SETTINGS} == {
            "FACTOR_PROVIDER": "verify",
            "VERIFY_API_URL": own.emulator_url,
            "TWILIO_ACCOUNT_SID": LOCAL_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": LOCAL_AUTH_TOKEN,
            "VERIFY_SERVICE_SID": own.verify_service_sid,
        }
        assert requests.get(f"{own.api_url}/", timeout=5).status_code < 500
