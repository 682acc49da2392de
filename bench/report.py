"""bench/RESULTS.md from one run's measurements (and a short summary for the terminal)."""

import collections

from bench import cost
from bench.code_report import CODE_TITLE, code_goals, code_logins_ran, code_section
from bench.figures import IMPORT_BASELINE, LOGIN_IMPORTS
from bench.goals import (
    GOAL_COST,
    GOAL_IMPORT_RATIO,
    GOAL_LOST_GAP_MS,
    GOAL_LOST_P50_MS,
    GOAL_READS,
    GOAL_REQUESTS,
    GOAL_SHOWN_P50_MS,
    GOAL_SHOWN_P95_MS,
    GOAL_WRITES,
)
from bench.numbers import fmt, mean, met, p50, p95, table

SAFETY_POLL_S = 10  # static_site/js/phone-step.js SAFETY_POLL_MS: the page's poll beside a socket
WAITS_S = (5, 15, 30)  # how long a person takes to approve, for the cost comparison
REFERENCE_WAIT_S = 15
MODE_TITLES = {"push": "with the WebSocket", "polling": "polling only (wsUrl null)"}


def render(run):
    lines = [
        "# Bench results",
        "",
        f"`python -m bench --logins {run['args']['logins']}` on {run['machine']['when']}; "
        f"{run['seconds']:.0f} s in all. Generated: do not edit; `make bench` writes it again.",
        "How each figure is measured, the prices and the cost formula: [README.md](README.md).",
        "",
    ]
    sections = (
        _goals,
        _latency,
        _per_login,
        _endpoints,
        _throughput,
        code_section,
        _package,
        _cost,
    )
    for section in sections:
        lines += section(run) + [""]
    lines += _machine(run)
    return "\n".join(lines).rstrip() + "\n"


def summary(run):
    push, polling = run["browser"]["push"], run["browser"]["polling"]
    lines = ["", "Tap → account shows the email (ms)  p50     p95"]
    rows = [("push", push), ("polling", polling)]
    if run.get("lost"):
        rows.append(("callbacks lost", run["lost"]["logins"]))
    for name, logins in rows:
        shown = [login.shown_ms for login in logins]
        lines.append(f"  {name:<31} {fmt(p50(shown)):>7} {fmt(p95(shown)):>7}")
    lines.append(f"Page sockets opened: {sum(1 for login in push if login.sockets)}/{len(push)}")
    load = run.get("load")
    if load is not None:
        lines.append(f"Logins per second (API, {load.clients} clients): {fmt(load.per_second, 2)}")
    return "\n".join(lines)


# --- sections ---------------------------------------------------------------------------


def _goals(run):
    push = run["browser"]["push"]
    shown = [login.shown_ms for login in push]
    pushed = sum(1 for login in push if _approved_over_socket(login))
    requests = [_requests(login) for login in push]
    preflights = len(run["usage"]["push"].preflights)
    dynamodb = run["usage"]["push"].dynamodb
    reads, writes = (dynamodb[kind] / max(1, len(push)) for kind in ("reads", "writes"))
    push_cost = sum(_costs(run)[REFERENCE_WAIT_S]["push"].values())
    imports = {name: median for name, (median, _) in run["imports"].items()}
    ratio = imports["import app"] / imports[IMPORT_BASELINE]
    login_ratio = imports[LOGIN_IMPORTS] / imports[IMPORT_BASELINE]
    lost = run.get("lost")
    lost_logins = lost["logins"] if lost else []
    lost_shown = [login.shown_ms for login in lost_logins]
    lost_gaps = [gap for login in lost_logins for gap in login.status_poll_gaps_ms]
    honest = "" if pushed else " (no approval reached the page over a socket: this is polling)"
    rows = [
        (
            "tap → account page showing the email, p50",
            f"≤ {GOAL_SHOWN_P50_MS} ms",
            fmt(p50(shown), 0, " ms"),
            met(pushed and p50(shown) <= GOAL_SHOWN_P50_MS) + honest,
        ),
        (
            "tap → account page showing the email, p95",
            f"≤ {GOAL_SHOWN_P95_MS} ms",
            fmt(p95(shown), 0, " ms"),
            met(pushed and p95(shown) <= GOAL_SHOWN_P95_MS) + honest,
        ),
        (
            "browser API requests per OneTouch login, and CORS preflights",
            f"≤ {GOAL_REQUESTS}, none",
            f"{fmt(mean(requests), 1)} mean, {max(requests, default=0)} max; "
            f"{preflights} preflights",
            met(max(requests, default=99) <= GOAL_REQUESTS and preflights == 0),
        ),
        (
            "DynamoDB writes per OneTouch login",
            f"≤ {GOAL_WRITES}",
            fmt(writes, 1),
            met(writes <= GOAL_WRITES),
        ),
        (
            "DynamoDB reads per OneTouch login",
            f"≤ {GOAL_READS}",
            fmt(reads, 1),
            met(reads <= GOAL_READS),
        ),
        (
            f"`import app` ÷ `{IMPORT_BASELINE}`",
            f"≤ {GOAL_IMPORT_RATIO}×",
            f"{ratio:.2f}× ({imports['import app'] * 1000:.0f} / "
            f"{imports[IMPORT_BASELINE] * 1000:.0f} ms)",
            met(ratio <= GOAL_IMPORT_RATIO),
        ),
        (
            f"{LOGIN_IMPORTS} ÷ `{IMPORT_BASELINE}` (what a cold login pays)",
            f"≤ {GOAL_IMPORT_RATIO}× (the goal's intent)",
            f"{login_ratio:.2f}× ({imports[LOGIN_IMPORTS] * 1000:.0f} ms)",
            met(login_ratio <= GOAL_IMPORT_RATIO),
        ),
        (
            f"cost per million OneTouch logins, approval after {REFERENCE_WAIT_S} s",
            f"≤ ${GOAL_COST}",
            f"${push_cost:.2f}",
            met(push_cost <= GOAL_COST),
        ),
        (
            "callbacks lost: tap → account showing the email, p50",
            f"≤ {GOAL_LOST_P50_MS / 1000:.0f} s",
            fmt(p50(lost_shown) / 1000 if lost_shown else None, 2, " s"),
            met(bool(lost_shown) and p50(lost_shown) <= GOAL_LOST_P50_MS),
        ),
        (
            "callbacks lost: time between status requests, shortest",
            f"≥ {GOAL_LOST_GAP_MS / 1000:.0f} s",
            fmt(min(lost_gaps) / 1000 if lost_gaps else None, 2, " s"),
            met(not lost_gaps or min(lost_gaps) >= GOAL_LOST_GAP_MS * 0.95),
        ),
    ]
    rows += code_goals(run)
    goals = table(["goal", "target", "measured", "met"], rows)
    first = f"{lost['first'].shown_ms / 1000:.1f} s" if lost else "not run"
    return [
        "## The goals",
        "",
        *goals,
        "",
        f"Logins: {len(push)} with the WebSocket, {len(run['browser']['polling'])} polling "
        f'only; the page received "approved" over its socket in {pushed} of {len(push)}. '
        f"With callbacks off, the first login (before the API has seen a callback go "
        f"missing) took {first} from the tap to the account page; then "
        f"{len(lost['logins']) if lost else 0} logins were measured.",
    ]


def _latency(run):
    rows = collections.OrderedDict()
    for mode in ("push", "polling"):
        logins = run["browser"][mode]
        latencies = [login.latency_ms for login in logins]
        callbacks = [login.callback_ms for login in logins if login.callback_ms is not None]
        gaps = [gap for login in logins for gap in login.status_poll_gaps_ms]
        shown = [login.shown_ms for login in logins]
        rows[mode] = [
            str(len(logins)),
            f"{sum(1 for login in logins if login.sockets)}",
            f"{sum(1 for login in logins if _approved_over_socket(login))}",
            fmt(p50(latencies)),
            fmt(p95(latencies)),
            fmt(max(latencies, default=None)),
            fmt(p50(shown)),
            fmt(p95(shown)),
            fmt(p50([login.seen_ms for login in logins])),
            fmt(p50(callbacks)),
            fmt(p50(gaps)) if gaps else "—",
        ]
    names = [
        "logins",
        "page opened a socket",
        '"approved" came over the socket',
        "approval → browser p50 (ms)",
        "approval → browser p95 (ms)",
        "max (ms)",
        "**tap → account page shows the email, p50 (ms)**",
        "**tap → account page shows the email, p95 (ms)**",
        "approval → Playwright reported account.html, p50 (ms; an upper bound)",
        "approval → callback answered p50 (ms)",
        "between status polls p50 (ms)",
    ]
    latencies = table(
        ["", MODE_TITLES["push"], MODE_TITLES["polling"]],
        [(name, rows["push"][i], rows["polling"][i]) for i, name in enumerate(names)],
    )
    api = run.get("load")
    pushed = api.timings_ms.get("approval → pushed", []) if api else []
    extra = [login for login in run["browser"]["push"] if _requests(login) > GOAL_REQUESTS]
    return [
        "## Approval → browser",
        "",
        "From the bench asking the emulator to approve (the tap on the phone) to the page "
        "opening `account.html` (in place: no page load), and to the account page showing the "
        "email (what a person sees), in headless Chromium; the person waits 0.5–2 s before "
        "tapping. Each login is a new visitor: nothing cached before the login page.",
        "",
        *latencies,
        "",
        f"Without a browser, while {api.clients if api else 0} API clients log in at once "
        f'(the API logins below): approval → "approved" on the socket p50 {fmt(p50(pushed))} '
        f"ms, p95 {fmt(p95(pushed))} ms.",
        *_extra_requests(extra),
        *_lost(run.get("lost")),
    ]


def _lost(lost):
    if not lost:
        return []
    logins = lost["logins"]
    shown = [login.shown_ms for login in logins]
    gaps = [gap for login in logins for gap in login.status_poll_gaps_ms]
    polls = [login.api_requests["GET /login/status"] for login in logins]
    usage = lost["usage"]
    count = max(1, len(logins))
    return [
        "",
        "With the emulator's callbacks off (a wrong callback URL in the Authy console), the "
        "socket never hears the answer; the page's status polls do, through the API's own "
        f"look at Authy. {len(logins)} logins after the first: tap → account showing the "
        f"email p50 {fmt(p50(shown))} ms, p95 {fmt(p95(shown))} ms; GET /login/status "
        f"{fmt(mean(polls), 2)} per login, {fmt(min(gaps, default=None))} ms apart at the "
        f"closest; Authy calls {fmt(usage.authy_total() / count, 2)} per login; "
        f"DynamoDB {fmt(usage.dynamodb['reads'] / count, 1)} reads and "
        f"{fmt(usage.dynamodb['writes'] / count, 1)} writes per login.",
    ]


def _extra_requests(logins):
    """Logins with the socket that asked the API more than the goal allows, step by step."""
    if not logins:
        return []
    lines = [
        "",
        f"{len(logins)} login(s) with the socket made more than {GOAL_REQUESTS} API "
        "requests; their requests (ms from the approval) and what the socket said:",
        "",
    ]
    for login in logins[:5]:
        steps = ", ".join(f"{name} at {ms}" for ms, name in login.timeline)
        lines.append(f"- {steps}; socket: {' '.join(login.socket_messages) or 'nothing'}")
    return lines


def _per_login(run):
    columns = [m for m in ("push", "polling") if run["browser"][m]]
    if "api" in run["usage"] and run.get("load") and run["load"].logins:
        columns.append("api")
    counts = {m: len(run["browser"][m]) if m != "api" else run["load"].logins for m in columns}
    if code_logins_ran(run):
        columns.append("code")
        counts["code"] = len(run["code"]["logins"])
    usage = {m: run["usage"][m] for m in columns}
    rows = _browser_rows(run, columns, counts, usage) + _server_rows(columns, counts, usage)
    titles = {**MODE_TITLES, "api": "API logins (socket client)", "code": CODE_TITLE}
    largest = max(usage[m].dynamodb["largest_item_bytes"] for m in columns)
    return [
        "## Per login, counted",
        "",
        "Totals of each phase divided by its logins. Browser requests are Playwright's "
        "(Chromium never shows it CORS preflights); preflights and Lambda invocations come "
        "from `chalice local`'s log, WebSocket figures from the gateway, DynamoDB from the "
        "counting proxy, Authy and Verify from the emulator. The code logins' API requests "
        "are the page's, made by a client (no browser).",
        "",
        *table(["per login", *[titles[m] for m in columns]], rows),
        "",
        f"Request units follow AWS's rules from the sizes seen (largest item: {largest} bytes "
        "as JSON, so every write is 1 WRU and every eventually consistent read 0.5 RRU).",
    ]


def _browser_rows(run, columns, counts, usage):
    """What the page asked for (not in the API logins' column: no browser there)."""

    browsers = [m for m in columns if m in run["browser"]]

    def row(name, count_of):
        cells = [
            fmt(sum(count_of(login) for login in run["browser"][m]) / counts[m], 2)
            if m in browsers
            else ""
            for m in columns
        ]
        return (name, *cells)

    seen = {name for m in browsers for x in run["browser"][m] for name in x.api_requests}
    rows = [row(f"browser {name}", lambda x, n=name: x.api_requests[n]) for name in sorted(seen)]
    total = row("**browser API requests**", lambda x: sum(x.api_requests.values()))
    if "code" in columns:
        total = (*total[:-1], fmt(mean(run["code"]["requests"]), 2))
    rows.append(total)
    rows.append(row("pages, scripts, styles the page loaded (cache hits too)", _site_requests))

    def fetched(m):
        return sum(usage[m].site_requests.values()) / counts[m]

    rows.append(
        (
            "pages, scripts, styles fetched from the site (not the browser's cache)",
            *[fmt(fetched(m), 2) if m in browsers else "" for m in columns],
        )
    )
    rows.append(
        (
            "**CloudFront requests** (API requests and files fetched)",
            *[
                fmt(mean(_requests(x) for x in run["browser"][m]) + fetched(m), 2)
                if m in browsers
                else ""
                for m in columns
            ],
        )
    )
    rows.append(
        (
            "CORS preflights per browser API request",
            *[_preflight_ratio(run, m) if m in browsers else "" for m in columns],
        )
    )
    return rows


def _preflight_ratio(run, mode):
    requests = sum(sum(login.api_requests.values()) for login in run["browser"][mode])
    return fmt(len(run["usage"][mode].preflights) / max(1, requests), 2)


def _server_rows(columns, counts, usage):
    """What the stack counted: Lambda, DynamoDB, Authy, the WebSocket API."""
    rows = []

    def add(name, value_of, digits=2):
        rows.append((name, *[fmt(value_of(usage[m]) / counts[m], digits) for m in columns]))

    def names(of):
        return sorted({name for m in columns for name in of(usage[m])})

    add("CORS preflights (API Gateway answers, no Lambda)", lambda u: len(u.preflights))
    for route in names(lambda u: u.lambda_rest()):
        add(f"Lambda: {route}", lambda u, r=route: u.lambda_rest()[r])
    for route in ("$connect", "$default", "$disconnect"):
        add(f"Lambda: WebSocket {route}", lambda u, r=route: u.gateway["invocations"].get(r, 0))
    add("**Lambda invocations**", lambda u: u.lambda_invocations())
    add("Lambda handler time, summed (ms, local)", lambda u: u.lambda_ms(), 0)
    add("**DynamoDB reads** (operations)", lambda u: u.dynamodb["reads"])
    add("**DynamoDB writes** (operations)", lambda u: u.dynamodb["writes"])
    add("DynamoDB read request units", lambda u: u.dynamodb["read_units"])
    add("DynamoDB write request units", lambda u: u.dynamodb["write_units"])
    for operation in names(lambda u: u.dynamodb["operations"]):
        add(f"DynamoDB {operation}", lambda u, o=operation: u.dynamodb["operations"].get(o, 0))
    add("**vendor calls** (Authy's, or Verify's `verify_…`)", lambda u: u.authy_total())
    for endpoint in names(lambda u: u.authy_calls):
        add(f"vendor {endpoint}", lambda u, e=endpoint: u.authy_calls.get(e, 0))
    add("Authy callbacks delivered", lambda u: u.callbacks_delivered)
    add("WebSocket frames from the page", lambda u: u.gateway["messages_in"])
    add("WebSocket messages pushed (@connections)", lambda u: u.gateway["posts"])
    add(
        "WebSocket connection minutes (billed)",
        lambda u: cost.connection_minutes(u.gateway["connected_ms"]),
    )
    return rows


def _endpoints(run):
    latencies = collections.defaultdict(list)
    for usage in run["usage"].values():
        for entry in usage.invocations:
            latencies[f"{entry['http_method']} {entry['route']}"].append(entry["latency_ms"])
        for route, values in usage.gateway["handler_ms"].items():
            latencies[f"WebSocket {route}"].extend(values)
    rows = [
        (name, str(len(v)), fmt(p50(v), 1), fmt(p95(v), 1))
        for name, v in sorted(latencies.items())
        if v
    ]
    lines = [
        "## Per endpoint",
        "",
        "Server side: the handler's own time (the request log's "
        "`latency_ms`; the gateway's timing for WebSocket routes), every phase together.",
        "",
        *table(["endpoint", "n", "p50 (ms)", "p95 (ms)"], rows),
    ]
    load = run.get("load")
    if load and load.timings_ms:
        rows = [
            (step, str(len(v)), fmt(p50(v), 1), fmt(p95(v), 1))
            for step, v in load.timings_ms.items()
        ]
        lines += [
            "",
            "Client side, the API logins (over loopback, through `chalice local`):",
            "",
            *table(["step", "n", "p50 (ms)", "p95 (ms)"], rows),
        ]
    return lines


def _throughput(run):
    load = run.get("load")
    if load is None:
        return ["## Logins per second", "", "Not run (`--api-logins 0`)."]
    failures = ""
    if load.failures:
        failures = (
            f" **{len(load.failures)} failed** (their partial work is in the per-login "
            f"counts above): {'; '.join(load.failures[:3])}"
        )
    return [
        "## Logins per second",
        "",
        f"**{fmt(load.per_second, 2)} complete logins per second**: {load.logins} OneTouch "
        f"logins in {load.seconds:.1f} s by {load.clients} concurrent API clients "
        f"(login, socket watch, approval, session, account) on this machine's local stack; "
        f"`chalice local` is one process, and each login verifies an argon2id hash "
        f"(19 MiB).{failures}",
    ]


def _package(run):
    rows = [
        (name, f"{median * 1000:.0f} ms", ", ".join(f"{s * 1000:.0f}" for s in samples))
        for name, (median, samples) in run["imports"].items()
    ]
    lines = [
        "## Cold start: imports and the zip",
        "",
        "Each import in a fresh interpreter, runs interleaved, after one warm-up each:",
        "",
        *table(["", "median", "runs (ms)"], rows),
        "",
    ]
    cold = run.get("cold")
    if cold:
        statuses = sorted({str(r["status"]) for r in cold["runs"]})
        lines += [
            f"A cold POST /login, {len(cold['runs'])} times (`bench/cold.py`: a fresh "
            "interpreter imports app and answers one API Gateway event; DynamoDB on the "
            "stack's moto server, Authy the emulator; argon2id included): median "
            f"**{cold['total_ms']:.0f} ms**, of which `import app` {cold['import_ms']:.0f} ms "
            f"and the login {cold['login_ms']:.0f} ms (statuses {', '.join(statuses)}). The "
            "Lambda runtime's own start and the zip's download come on top.",
            "",
        ]
    package = run.get("zip")
    if package is None:
        lines.append("Deployment zip: not built (`--no-zip`).")
    elif "error" in package:
        lines.append(f"Deployment zip: `chalice package` failed: {package['error']}")
    else:
        parts = ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in package["largest"])
        lines.append(
            f"Deployment zip (`chalice package --stage prod`): "
            f"**{package['bytes'] / 1e6:.2f} MB**; largest parts, compressed: {parts}."
        )
        lean = package["without_botocore"]
        lines += [
            "",
            "Without botocore, which the Lambda runtime has: "
            f"{lean['bytes'] / 1e6:.2f} MB; unpacking here takes {lean['unpack_ms']:.0f} ms "
            f"whole and {lean['unpack_without_ms']:.0f} ms without it (median of 3). Chalice "
            "has no way to leave a dependency's dependency out, so the zip keeps it: cutting "
            "it out after `chalice package` would be a step a maintainer trips over, and the "
            "runtime's botocore is not the version the tests ran.",
        ]
    return lines


def _cost(run):
    costs = _costs(run)
    rows = []
    for seconds in WAITS_S:
        row = [f"{seconds} s"]
        for name in ("push", "poll 1 s", "poll 2 s"):
            row.append(f"${sum(costs[seconds][name].values()):.2f}")
        rows.append(row)
    parts = costs[REFERENCE_WAIT_S]
    breakdown = [
        (part, f"${parts['push'][part]:.2f}", f"${parts['poll 2 s'][part]:.2f}")
        for part in parts["push"]
    ]
    return [
        "## Cost per million logins",
        "",
        "AWS list prices, us-east-1, free tiers left out (README.md). Each login as counted "
        "above, stretched to a person who approves after the time shown: polling adds a "
        "pending GET /login/status every 1 or 2 s; with the socket the page still polls every "
        f"{SAFETY_POLL_S} s as a safety net and holds the socket by the started minute. One "
        "pending poll was measured on its own (its DynamoDB and Authy calls included), plus "
        "its CloudFront request and the CORS preflights the page was seen to send per API "
        "request. CloudFront is billed for every request of a new visitor (no browser "
        "cache): pages, scripts, styles, config.js and the API.",
        "",
        *table(
            [
                "approval after",
                "WebSocket push",
                "polling every 1 s (the page)",
                "polling every 2 s",
            ],
            rows,
        ),
        "",
        f"Where the money goes, approval after {REFERENCE_WAIT_S} s:",
        "",
        *table(["", "WebSocket push", "polling every 2 s"], breakdown),
    ]


def _machine(run):
    machine = run["machine"]
    return [
        "## This machine",
        "",
        f"{machine['platform']}, {machine['cpus']} CPUs, Python {machine['python']}, "
        f"{machine['chromium'] or 'chromium'}; everything on loopback.",
    ]


# --- helpers ----------------------------------------------------------------------------


def _costs(run):
    """Dollars per million logins, by part: {wait: {"push" | "poll 1 s" | "poll 2 s": parts}}."""
    per_login = {}
    for mode in ("push", "polling"):
        logins = run["browser"][mode]
        measured = cost.login_usage(run["usage"][mode], max(1, len(logins)))
        fetched = sum(run["usage"][mode].site_requests.values()) / max(1, len(logins))
        origin_requests = mean(_requests(login) for login in logins) + fetched
        measured = cost.through_cloudfront(measured, origin_requests or 0.0)
        per_login[mode] = (measured, mean(_pending_polls(login) for login in logins) or 0.0)
    # The probe's polls came from Python, without preflights; a page's come with as many
    # as it was seen to make per API request.
    polling = run["browser"]["polling"]
    requests = sum(sum(login.api_requests.values()) for login in polling)
    preflights = len(run["usage"]["polling"].preflights) / requests if requests else 0.0
    probe = cost.login_usage(run["usage"]["pending poll"], run["pending_polls"])
    poll = cost.through_cloudfront(cost.with_preflights(probe, preflights), 1)  # via /api
    found = {}
    for seconds in WAITS_S:
        push, pending = per_login["push"]
        found[seconds] = {
            "push": cost.per_million(
                cost.waiting(push, poll, pending, seconds, SAFETY_POLL_S, socket=True)
            )
        }
        measured, pending = per_login["polling"]
        for every in (1, 2):
            stretched = cost.waiting(measured, poll, pending, seconds, every)
            found[seconds][f"poll {every} s"] = cost.per_million(stretched)
    return found


def _requests(login):
    return sum(login.api_requests.values())


def _site_requests(login):
    return sum(login.site_requests.values())


def _pending_polls(login):
    """The login's status requests that found the push pending: all but the one that
    collected the session, unless the session came over the socket."""
    polls = login.api_requests["GET /login/status"]
    over_socket = any('"session"' in message for message in login.socket_messages)
    return polls if over_socket else max(0, polls - 1)


def _approved_over_socket(login):
    return any('"approved"' in message for message in login.socket_messages)
