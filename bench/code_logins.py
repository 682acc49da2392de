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
from bench.api_load import Steps, call_api
from bench.counters import Meter
from devstack.members import latest_code
from devstack.stack import Stack, StackError

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
    steps, made = Steps(), []

    def call(path, token=None, body=None):
        made.append(path)
        with steps.timing(f"POST {path}"):
            return call_api(stack, "POST", path, token=token, body=body)

    credentials = {"email": member.email, "password": member.password}
    challenge = call("/login", body=credentials)["challenge"]
    if challenge["method"] != "sms" or not challenge.get("code_sent"):
        raise AssertionError(f"expected a texted code, got {challenge}")
    code = latest_code(stack, member)
    answer = call("/login/verify", token=challenge["token"], body={"token": code})
    if (
        not answer.get("session", {}).get("token")
        or answer.get("account", {}).get("email") != member.email.lower()
    ):
        raise AssertionError("the right code did not bring the session and the account")
    return steps, len(made)
