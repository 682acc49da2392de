"""``python -m devstack.emulator`` serves on loopback and fails clearly on a busy port."""

import os
import pathlib
import socket
import subprocess
import sys

import pytest
import requests

from devstack.emulator import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN
from devstack.emulator.__main__ import twilio_credentials
from devstack.emulator_client import wait_for

ROOT = pathlib.Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


MINE = ("AC" + "7" * 32, "token-from-the-environment")


def run(*args, env=None):
    command = [sys.executable, "-m", "devstack.emulator", *args]
    return subprocess.Popen(  # noqa: S603 - our own module, run by this interpreter
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serves_the_api_and_the_phone():
    port = free_port()
    env = {"TWILIO_ACCOUNT_SID": MINE[0], "TWILIO_AUTH_TOKEN": MINE[1]}
    process = run("--port", str(port), "--api-key", "k", "--no-app", env=env)
    try:
        base = f"http://127.0.0.1:{port}"

        def up():
            return requests.get(f"{base}/emulator/stats", timeout=1).ok

        wait_for(up, timeout=15)
        body = {"user": {"email": "a@b.co", "cellphone": "5551234567", "country_code": 1}}
        headers = {"X-Authy-API-Key": "k"}
        created = requests.post(
            f"{base}/protected/json/users/new", json=body, headers=headers, timeout=5
        )
        authy_id = created.json()["user"]["id"]
        status = requests.get(
            f"{base}/protected/json/users/{authy_id}/status", headers=headers, timeout=5
        )
        assert status.json()["status"]["registered"] is False
        assert requests.get(f"{base}/phone", timeout=5).status_code == 200
        services = f"{base}/v2/Services"
        assert requests.get(services, auth=MINE, timeout=5).status_code == 200
        local = (LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN)
        assert requests.get(services, auth=local, timeout=5).status_code == 401
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert f"http://127.0.0.1:{port}" in out


def test_verify_credentials_come_from_the_environment_or_are_the_local_ones():
    assert twilio_credentials({}) == (LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN)
    assert twilio_credentials({"TWILIO_ACCOUNT_SID": MINE[0], "TWILIO_AUTH_TOKEN": MINE[1]}) == MINE


def test_a_busy_port_is_one_clear_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        process = run("--port", str(busy.getsockname()[1]), "--api-key", "k")
        out, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert err.strip().count("\n") == 0
    assert "cannot listen on 127.0.0.1" in err


@pytest.mark.parametrize("args", [[], ["--callback-method", "PUT", "--api-key", "k"]])
def test_bad_arguments_are_refused(args):
    process = run(*args)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "usage:" in err
