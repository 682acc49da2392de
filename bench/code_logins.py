"""Code logins with the Verify provider, counted like the OneTouch ones.

A stack of its own (``FACTOR_PROVIDER=verify``, DynamoDB behind the counting proxy); each
member signs up (the phone proven by its texted code), then logs in once, making the
page's requests without the page: POST /login (Verify texts a code) → the code read off
the emulator's phone → POST /login/verify, whose answer brings the session and the
account page, so the page asks nothing more.
"""

import time

import requests

from bench import members
from bench.api_load import Steps
from bench.counters import Meter
from devstack.members import latest_code
from devstack.stack import Stack, StackError

TIMEOUT = (2, 20)


FAILED = (StackError, AssertionError, requests.RequestException, RuntimeError)


def run_code_logins(count, deadline):
    """``{"logins": [Steps], "usage": Usage, "failures": [...], "requests": [int]}``; a
    phase that cannot run says why in ``failures`` (usage None), and the bench goes on."""
    try:
        return _run(count, deadline)
    except FAILED as exc:
        return {"logins": [], "usage": None, "failures": [f"{type(exc).__name__}: {exc}"]}


def _run(count, deadline):
    with Stack(count_dynamodb=True, provider="verify") as stack:
        people = members.sign_up(stack, count + 1)
        meter = Meter(stack)
        _one_login(stack, people.pop())  # not measured: warms the processes
        meter.start()
        logins, failures, requests_made = [], [], []
        for member in people:
            if time.monotonic() > deadline:
                break
            try:
                steps, made = _one_login(stack, member)
            except FAILED as exc:
                failures.append(f"{member.email}: {type(exc).__name__}: {exc}")
                continue
            logins.append(steps)
            requests_made.append(made)
        return {
            "logins": logins,
            "usage": meter.stop(),
            "failures": failures,
            "requests": requests_made,
        }


def _one_login(stack, member):
    """One code login as the page makes it; ``(Steps, API requests made)``."""
    steps, answered = Steps(), []
    with requests.Session() as http:
        http.hooks["response"].append(lambda response, **_: answered.append(response.url))
        with steps.timing("POST /login"):
            login = http.post(
                f"{stack.api_url}/login",
                json={"email": member.email, "password": member.password},
                timeout=TIMEOUT,
            )
        challenge = _ok(login, "POST /login")["challenge"]
        if challenge["method"] != "sms" or not challenge.get("code_sent"):
            raise AssertionError(f"expected a texted code, got {challenge}")
        code = latest_code(stack, member)
        with steps.timing("POST /login/verify"):
            verified = http.post(
                f"{stack.api_url}/login/verify",
                json={"token": code},
                headers={"Authorization": f"Bearer {challenge['token']}"},
                timeout=TIMEOUT,
            )
        answer = _ok(verified, "POST /login/verify")
    if (
        not answer.get("session", {}).get("token")
        or answer.get("account", {}).get("email") != member.email.lower()
    ):
        raise AssertionError("the right code did not bring the session and the account")
    return steps, len(answered)


def _ok(response, name):
    if not response.ok:
        raise AssertionError(f"{name}: {response.status_code} {response.text[:200]}")
    return response.json()
