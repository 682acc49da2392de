"""Schemathesis against the running local stack: no 5xx, every answer as openapi.yaml says.

Three runs, so authenticated operations are fuzzed past the 401: without a token, with a
live challenge token and with a live session. A bounded number of examples per operation
and a fixed seed keep it quick and repeatable; SCHEMATHESIS_EXAMPLES raises the bound.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from devstack.stack import Stack

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def stack():
    with Stack() as running:
        yield running


def _post(stack, path, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.post(stack.api_url + path, json=body, headers=headers, timeout=20)
    assert response.ok, response.text
    return response.json()


@pytest.fixture(scope="module")
def tokens(stack):
    """A member with a session, and a fresh login challenge answered by nobody."""
    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    signup = _post(
        stack,
        "/signup",
        {
            "name": "Fuzz",
            "email": email,
            "password": PASSWORD,
            "country_code": 1,
            "phone": "2015550123",
        },
    )
    (user,) = [u for u in stack.emulator.users() if u["email"] == email]
    stack.emulator.set_app(user["authy_id"], False)
    challenge = signup["challenge"]["token"]
    if signup["challenge"]["method"] == "onetouch":
        _post(stack, "/login/token", {"via": "sms"}, token=challenge)
    code = stack.emulator.latest_code(user["authy_id"])
    session = _post(stack, "/login/verify", {"token": code}, token=challenge)["session"]["token"]
    login = _post(stack, "/login", {"email": email, "password": PASSWORD})["challenge"]["token"]
    return {"challenge": login, "session": session}


def schemathesis(stack, tmp_path, *options):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            str(ROOT / "openapi.yaml"),
            "--url",
            stack.api_url,
            "--checks",
            CHECKS,
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            "20261127",
            "--request-timeout",
            "20",
            "--no-color",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    return result.returncode, result.stdout[-8000:] + result.stderr[-2000:]


def test_without_tokens(stack, tmp_path):
    code, report = schemathesis(stack, tmp_path)
    assert code == 0, report


def test_with_a_live_challenge(stack, tokens, tmp_path):
    code, report = schemathesis(
        stack,
        tmp_path,
        "--include-path-regex",
        "^/login/",
        "--header",
        f"Authorization: Bearer {tokens['challenge']}",
    )
    assert code == 0, report


def test_with_a_live_session(stack, tokens, tmp_path):
    code, report = schemathesis(
        stack,
        tmp_path,
        "--include-path-regex",
        "^/(account|logout)",
        "--header",
        f"Authorization: Bearer {tokens['session']}",
    )
    assert code == 0, report
