"""Logins per second: complete OneTouch logins over the API and the WebSocket, no browser.

``clients`` threads, each with its own members, each login as the page does it: POST
/login → open the socket and watch → the emulator approves → "approved" arrives with the
session the login named and the account page; then one GET /account with that session,
as the account page's next visit would (it also proves the session works). Bounded by a
count and a deadline, whichever comes first.
"""

import collections
import concurrent.futures
import contextlib
import dataclasses
import json
import threading
import time

import requests
from websockets.sync.client import connect

TIMEOUT = (2, 20)


@dataclasses.dataclass
class LoadResult:
    logins: int
    seconds: float
    clients: int
    timings_ms: dict  # step → list of client-side milliseconds
    failures: list

    @property
    def per_second(self):
        return self.logins / self.seconds if self.seconds else None


def run_load(stack, members, clients, deadline):
    """Each member logs in once; ``clients`` at a time, until done or ``deadline``."""
    timings = collections.defaultdict(list)
    failures, lock = [], threading.Lock()
    queue = list(members)

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                member = queue.pop()
            try:
                steps = _one_login(stack, member)
            except Exception as exc:  # noqa: BLE001 - a failed login is a finding, reported
                with lock:
                    failures.append(f"{member.email}: {type(exc).__name__}: {exc}")
                continue
            with lock:
                for step, ms in steps.items():
                    timings[step].append(ms)

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    seconds = time.monotonic() - started
    done = len(timings["whole login"])
    return LoadResult(done, seconds, clients, dict(timings), failures)


class Steps(dict):
    """Client-side milliseconds by step name."""

    @contextlib.contextmanager
    def timing(self, name):
        started = time.perf_counter()
        yield
        self[name] = (time.perf_counter() - started) * 1000


def _one_login(stack, member):
    steps = Steps()
    with steps.timing("whole login"):
        with steps.timing("POST /login"):
            credentials = {"email": member.email, "password": member.password}
            challenge = call_api(stack, "POST", "/login", body=credentials)["challenge"]
        if challenge["method"] != "onetouch":
            raise AssertionError(f"expected a OneTouch push, got {challenge['method']}")
        account = _wait_for_approval(stack, member, challenge["token"], steps)
        with steps.timing("GET /account"):
            again = call_api(stack, "GET", "/account", token=challenge["session_token"])
        if again["email"] != account["email"]:
            raise AssertionError("the session the socket announced is not the account's")
    return steps


def _wait_for_approval(stack, member, token, steps):
    """Watch the challenge on a socket, approve on the phone, hear "approved" with the
    session and the account page; returns the account page."""
    with steps.timing("WebSocket open"):
        socket = connect(stack.ws_url, origin=stack.site_url, open_timeout=10)
    with socket:
        with steps.timing("watch → pending"):
            socket.send(json.dumps({"action": "watch", "token": token}))
            answer = json.loads(socket.recv(10))
        if answer != {"status": "pending"}:
            raise AssertionError(f"watch answered {answer}")
        push = stack.emulator.wait_for_request(member.authy_id)
        with steps.timing("approval → pushed"):
            stack.emulator.approve(push["uuid"])
            pushed = json.loads(socket.recv(10))
        if pushed.get("status") != "approved" or "account" not in pushed:
            raise AssertionError(f"the socket said {str(pushed)[:200]}")
        return pushed["account"]


def call_api(stack, method, path, token=None, body=None):
    """One API call on a connection of its own.

    chalice local writes headers and body apart, so on a kept-alive connection Nagle's
    algorithm and this client's delayed ACK add ~40 ms to each answer (Chromium, and API
    Gateway, never pay it); and ``Connection: close`` on a kept pool races the server's
    close. A fresh connection per call has neither problem.
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with requests.Session() as http:
        response = http.request(
            method, stack.api_url + path, json=body, headers=headers, timeout=TIMEOUT
        )
    if not response.ok:
        raise AssertionError(f"{method} {path}: {response.status_code} {response.text[:200]}")
    return response.json()
