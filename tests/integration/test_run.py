"""``python -m devstack.run``: ports from the environment, a banner, a clean stop."""

import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading

import pytest
import requests

from chalicelib.headers import site_headers
from devstack.emulator_client import wait_for
from devstack.processes import StackError, free_port
from devstack.run import ports_from_env, provider_from_env

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_ports_default_and_come_from_the_environment():
    assert ports_from_env({}) == {
        "SITE_PORT": 8080,
        "API_PORT": 8000,
        "EMULATOR_PORT": 8025,
        "DYNAMODB_PORT": 8044,
    }
    assert ports_from_env({"API_PORT": "9000", "SITE_PORT": " "})["API_PORT"] == 9000


@pytest.mark.parametrize(
    "env, provider",
    [({}, "authy"), ({"FACTOR_PROVIDER": " "}, "authy"), ({"FACTOR_PROVIDER": "Verify"}, "verify")],
)
def test_the_provider_comes_from_factor_provider(env, provider):
    assert provider_from_env(env) == provider


def test_an_unknown_provider_is_refused():
    with pytest.raises(StackError, match="FACTOR_PROVIDER must be one of authy, verify"):
        provider_from_env({"FACTOR_PROVIDER": "okta"})


@pytest.mark.parametrize("value", ["http", "-1", "0", "70000"])
def test_a_bad_port_is_refused(value):
    with pytest.raises(StackError, match="API_PORT must be a port number"):
        ports_from_env({"API_PORT": value})


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return False
    return True


def run(env):
    return subprocess.Popen(  # noqa: S603 - our own module, run by this interpreter
        [sys.executable, "-m", "devstack.run"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_busy_port_is_one_line_and_no_traceback():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        process = run({"DYNAMODB_PORT": str(busy.getsockname()[1])})
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert err.count("\n") == 1
    assert err.startswith("devstack: port ")
    assert "Traceback" not in err


def test_runs_until_interrupted_then_stops_everything():
    """``FACTOR_PROVIDER=verify make run``: the Verify stack, and a banner that says so."""
    names = ("SITE_PORT", "API_PORT", "EMULATOR_PORT", "DYNAMODB_PORT")
    ports = {name: str(free_port()) for name in names}
    process = run({**ports, "FACTOR_PROVIDER": "verify"})
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:

        def up():
            assert process.poll() is None, f"devstack.run exited: {process.stderr.read()}"
            return any("The local stack is up" in line for line in lines)

        wait_for(
            up,
            timeout=60,
            interval=0.2,
            message="the banner of `python -m devstack.run`",
        )
        emulator = f"http://127.0.0.1:{ports['EMULATOR_PORT']}"
        assert requests.get(f"{emulator}/phone", timeout=5).status_code == 200
        services = requests.get(f"{emulator}/emulator/verify/services", timeout=5).json()
        [service] = services["services"]
        site = f"http://localhost:{ports['SITE_PORT']}"
        page = requests.get(f"{site}/login.html", timeout=5)
        assert set(site_headers()) <= set(page.headers)
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        login = {"email": "nobody@example.com", "password": "not the password"}
        answer = requests.post(f"{site}/api/login", json=login, timeout=20)
        assert answer.status_code == 401, answer.text  # the API's own answer, via the site
        assert answer.json()["error"]["code"] == "invalid_credentials"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
        reader.join(5)
        err = process.stderr.read()
        process.stdout.close()
        process.stderr.close()
    out = "".join(lines)
    assert process.returncode == 0, err
    assert f"http://localhost:{ports['SITE_PORT']}/" in out
    assert f"http://127.0.0.1:{ports['EMULATOR_PORT']}/phone" in out
    assert (
        f"provider       verify (the emulator's Twilio Verify v2, service {service['sid']})" in out
    )
    assert out.rstrip().endswith("Stopped.")
    assert not any(listening(int(port)) for port in ports.values())
