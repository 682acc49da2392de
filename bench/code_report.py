"""RESULTS.md's parts about the code logins with the Verify provider (bench.code_logins)."""

import collections

from bench import cost
from bench.goals import GOAL_COST, GOAL_READS, GOAL_REQUESTS, GOAL_WRITES
from bench.numbers import fmt, mean, met, p50, p95, table

CODE_TITLE = "Verify code logins (the page's requests)"


def code_goals(run):
    """The same counts for a code login with the Verify provider."""
    if not code_logins_ran(run):
        return []
    code = run["code"]
    logins = len(code["logins"])
    dynamodb = code["usage"].dynamodb
    reads, writes = dynamodb["reads"] / logins, dynamodb["writes"] / logins
    dollars = sum(code_cost(run).values())
    return [
        (
            "Verify code login: API requests (the page's)",
            f"≤ {GOAL_REQUESTS}",
            f"{fmt(mean(code['requests']), 1)} mean, {max(code['requests'])} max",
            met(max(code["requests"]) <= GOAL_REQUESTS),
        ),
        (
            "Verify code login: DynamoDB writes",
            f"≤ {GOAL_WRITES}",
            fmt(writes, 1),
            met(writes <= GOAL_WRITES),
        ),
        (
            "Verify code login: DynamoDB reads",
            f"≤ {GOAL_READS}",
            fmt(reads, 1),
            met(reads <= GOAL_READS),
        ),
        (
            "Verify code login: cost per million (Twilio's own charge aside)",
            f"≤ ${GOAL_COST}",
            f"${dollars:.2f}",
            met(dollars <= GOAL_COST),
        ),
    ]


def code_section(run):
    title = "## Code logins with the Verify provider"
    if not code_logins_ran(run):
        failures = (run.get("code") or {}).get("failures") or []
        why = f" Failures: {'; '.join(failures[:3])}." if failures else ""
        return [title, "", f"Not run (`--code-logins 0`), or every one failed.{why}"]
    code = run["code"]
    usage = code["usage"]
    logins = len(code["logins"])
    steps = collections.defaultdict(list)
    for login in code["logins"]:
        for step, ms in login.items():
            steps[step].append(ms)
    rows = [(step, str(len(v)), fmt(p50(v), 1), fmt(p95(v), 1)) for step, v in steps.items()]
    calls = ", ".join(
        f"{name} {count / logins:.2f}" for name, count in sorted(usage.authy_calls.items())
    )
    dollars = code_cost(run)
    parts = ", ".join(f"{part} ${value:.2f}" for part, value in dollars.items())
    failures = (
        f" **{len(code['failures'])} failed**: {'; '.join(code['failures'][:3])}."
        if code["failures"]
        else ""
    )
    return [
        title,
        "",
        f"{logins} members on a stack of its own with `FACTOR_PROVIDER=verify`, one login "
        "each: POST /login (Verify texts the code), the code read off the emulator's phone, "
        "POST /login/verify, whose answer brings the session and the account page (the "
        f"page's two requests, from a client). Counted per login in the table above.{failures}",
        "",
        *table(["step (client side, loopback)", "n", "p50 (ms)", "p95 (ms)"], rows),
        "",
        f"Verify calls per login: {calls}. Cost per million code logins at the prices "
        f"below, CloudFront counted as for the OneTouch page's new visitor (its files, the two "
        f"API requests): **${sum(dollars.values()):.2f}** ({parts}). Twilio bills "
        "each verification and its text on top.",
    ]


def code_logins_ran(run):
    return bool(run.get("code") and run["code"]["logins"])


def code_cost(run):
    """Dollars per million code logins, by part."""
    code = run["code"]
    measured = cost.login_usage(code["usage"], len(code["logins"]))
    push = run["browser"]["push"]
    files = sum(run["usage"]["push"].site_requests.values()) / max(1, len(push))
    return cost.per_million(cost.through_cloudfront(measured, mean(code["requests"]) + files))
