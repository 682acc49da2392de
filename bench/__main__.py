"""``python -m bench [--logins 50]``: complete logins on the local stack, then RESULTS.md.

Starts its own stack (DynamoDB behind a counting proxy), signs members up, drives
``--logins`` browser logins with the page's WebSocket and as many without it, measures one
pending status poll, runs API-level logins for throughput, then code logins on a stack with
the Verify provider; times imports, packages the zip, and writes bench/RESULTS.md. Every
phase is bounded in count and in time.
"""

import argparse
import datetime
import os
import pathlib
import platform
import random
import sys
import time

import requests

from bench import figures, report
from bench.api_load import run_load
from bench.browser import MODES, Browser, run_logins
from bench.code_logins import run_code_logins
from bench.cold import cold_logins
from bench.counters import Meter
from bench.members import sign_up
from devstack.stack import Stack, StackError

OUTPUT = pathlib.Path(__file__).resolve().parent / "RESULTS.md"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--logins", type=int, default=50, help="browser logins per mode")
    parser.add_argument("--api-logins", type=int, default=40, help="for logins per second")
    parser.add_argument("--clients", type=int, default=4, help="concurrent API clients")
    parser.add_argument("--phase-seconds", type=float, default=300, help="cap per browser mode")
    parser.add_argument(
        "--lost-logins", type=int, default=20, help="browser logins with callbacks off"
    )
    parser.add_argument("--cold-logins", type=int, default=5, help="fresh-process logins")
    parser.add_argument(
        "--code-logins", type=int, default=20, help="code logins with the Verify provider"
    )
    parser.add_argument("--api-seconds", type=float, default=30, help="cap on the API logins")
    parser.add_argument("--poll-every", type=float, default=2.0, help="s, pending-poll probe")
    parser.add_argument("--polls", type=int, default=6, help="pending polls to average")
    parser.add_argument("--import-runs", type=int, default=7)
    parser.add_argument("--no-zip", action="store_true", help="skip chalice package")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    args = parser.parse_args(argv)
    counts = (args.logins, args.clients, args.lost_logins, args.cold_logins)
    if min(counts) < 1 or min(args.api_logins, args.code_logins) < 0:
        parser.error(
            "--logins, --lost-logins, --cold-logins and --clients must be at least 1, "
            "--api-logins and --code-logins at least 0"
        )
    return args


def say(text):
    print(text, flush=True)


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    run = {"args": vars(args) | {"output": str(args.output)}, "machine": _machine()}
    try:
        with Stack(count_dynamodb=True) as stack:
            say(f"Stack up: site {stack.site_url}, API {stack.api_url}, sockets {stack.ws_url}")
            run.update(_on_the_stack(stack, args))
        if args.code_logins:
            say(
                f"{args.code_logins} code logins with the Verify provider, on a stack of its own..."
            )
            run["code"] = run_code_logins(args.code_logins, time.monotonic() + args.phase_seconds)
            if run["code"]["usage"] is not None:
                run["usage"]["code"] = run["code"]["usage"]
    except StackError as exc:
        sys.exit(f"bench: {exc}")
    say("Timing imports in fresh interpreters...")
    run["imports"] = figures.import_times(args.import_runs)
    if not args.no_zip:
        say("Packaging the deployment zip (chalice package --stage prod)...")
        run["zip"] = figures.deployment_zip()
    run["seconds"] = time.monotonic() - started
    args.output.write_text(report.render(run), encoding="utf-8")
    say(report.summary(run))
    say(f"Wrote {args.output} in {run['seconds']:.0f} s.")


def _on_the_stack(stack, args):
    meter = Meter(stack)
    # Each phase has its own members: an account takes three pushes in 15 minutes.
    needed = args.logins + 1 + args.api_logins + 1 + args.lost_logins + 1 + args.cold_logins
    say(f"Signing up {needed} members (each approves its signup push)...")
    members = sign_up(stack, needed)
    cold_members, members = members[-args.cold_logins :], members[: -args.cold_logins]
    lost_members, members = members[-args.lost_logins - 1 :], members[: -args.lost_logins - 1]
    browser_members, warm_up = members[: args.logins], members[args.logins]
    api_members, prober = members[args.logins + 1 : -1], members[-1]
    results = {"browser": {}, "usage": {}}

    browser = Browser()
    try:
        for mode in MODES:  # not measured: the first of each kind warms the processes
            browser.log_in(stack, warm_up, mode, _rng(args.seed))
        for mode in MODES:
            say(f"{args.logins} browser logins, {mode}...")
            meter.start()
            deadline = time.monotonic() + args.phase_seconds
            logins = run_logins(browser, stack, browser_members, mode, deadline, args.seed)
            results["browser"][mode] = logins
            results["usage"][mode] = meter.stop()
    finally:
        browser.close()

    say(f"One pending GET /login/status, {args.polls} times {args.poll_every} s apart...")
    results["usage"]["pending poll"] = _pending_polls(stack, meter, prober, args)
    results["pending_polls"] = args.polls

    if args.api_logins:
        say(f"{len(api_members)} API logins, {args.clients} clients at a time...")
        meter.start()
        load = run_load(stack, api_members, args.clients, time.monotonic() + args.api_seconds)
        results["load"] = load
        results["usage"]["api"] = meter.stop()

    # Last: once the API has seen a callback go missing it polls faster for an hour.
    noticer, lost = lost_members[0], lost_members[1:]
    say(f"Callbacks off: 1 login to notice, then {len(lost)} browser logins...")
    results["lost"] = _lost_callbacks(stack, meter, noticer, lost, args)

    say(f"{len(cold_members)} cold starts: a fresh interpreter imports app, POST /login...")
    results["cold"] = cold_logins(stack, cold_members)
    return results


def _lost_callbacks(stack, meter, first, members, args):
    """Logins with the emulator's callbacks off, as after a wrong callback URL."""
    stack.emulator.set_callback(enabled=False)
    browser = Browser()
    try:
        noticed = browser.log_in(stack, first, "push", _rng(args.seed))
        meter.start()
        deadline = time.monotonic() + args.phase_seconds
        logins = run_logins(browser, stack, members, "push", deadline, args.seed)
        return {"first": noticed, "logins": logins, "usage": meter.stop()}
    finally:
        browser.close()
        url = f"{stack.api_url}/authy/callback"
        stack.emulator.set_callback(enabled=True, url=url, method="POST")


def _pending_polls(stack, meter, member, args):
    """The cost of GET /login/status while the push waits (Authy checks after 3 s included)."""
    with requests.Session() as http:
        login = {"email": member.email, "password": member.password}
        challenge = http.post(f"{stack.api_url}/login", json=login, timeout=20).json()
        headers = {"Authorization": f"Bearer {challenge['challenge']['token']}"}
        meter.start()
        for _ in range(args.polls):
            status = http.get(f"{stack.api_url}/login/status", headers=headers, timeout=20)
            if status.json().get("status") != "pending":
                raise RuntimeError(f"the probe's challenge is not pending: {status.text}")
            time.sleep(args.poll_every)
        usage = meter.stop()
    stack.emulator.approve(stack.emulator.wait_for_request(member.authy_id)["uuid"])
    return usage


def _rng(seed):
    return random.Random(seed)  # noqa: S311 - a pause, not a secret


def _machine():
    return {
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "chromium": figures.chromium_version(),
    }


if __name__ == "__main__":
    main()
