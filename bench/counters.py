"""What the local stack counted while logins ran: a ``Meter`` brackets one phase.

- Lambda invocations of the REST API: ``chalice local``'s log holds exactly one JSON line
  per request our app handled (logger ``twofold.request``), with its route and latency.
- CORS preflights: Chromium does not show them to Playwright, and API Gateway answers them
  without Lambda; ``chalice local``'s access log has a line for each (``"OPTIONS /login``).
- WebSocket invocations, frames and connection times: the gateway's ``GET /stats``.
- DynamoDB operations and request units: the counting proxy's ``GET /_counter/stats``.
- Authy calls and callback deliveries: the emulator's ``GET /emulator/stats``.
"""

import collections
import dataclasses
import json
import re
import time

import requests

ACCESS_LINE = re.compile(r'"OPTIONS (\S+) HTTP/[\d.]+" (\d{3})')
REQUEST_LOGGER = "twofold.request "
TIMEOUT = 5


class LogTail:
    """A process's log, read from where the last read stopped."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def skip_to_end(self):
        with open(self.path, "rb") as log:
            self.offset = log.seek(0, 2)

    def new_lines(self):
        """The whole lines written since the last read."""
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a half-written line waits for next time
        self.offset += len(complete)
        return complete.decode("utf-8", "replace").splitlines()


class ApiLog(LogTail):
    """What ``chalice local`` wrote to its log."""

    def read_new(self):
        """``(invocations, preflights)``: request-log dicts, and the paths preflighted."""
        invocations, preflights = [], []
        for line in self.new_lines():
            # "{...}", or "twofold.request - INFO - {...}" since chalice's own logger (named
            # for the app, "twofold") formats its children's lines too
            prefix, brace, rest = line.partition("{")
            if brace and (not prefix or prefix.startswith(REQUEST_LOGGER)):
                try:
                    entry = json.loads(brace + rest)
                except ValueError:
                    continue
                if "route" in entry and "latency_ms" in entry:
                    invocations.append(entry)
            elif match := ACCESS_LINE.search(line):
                preflights.append(match.group(1).split("?")[0])
        return invocations, preflights


class SiteLog(LogTail):
    """The site server's file requests: what reaches CloudFront and S3, so not what the
    browser found in its own cache."""

    LINE = re.compile(r'^site: \S+ "(GET|HEAD) (/[^ ?]*)\S* HTTP/[\d.]+" (\d{3})')

    def read_new(self):
        """``Counter`` of "GET /js/api.js" → requests (the API's /api/* left out)."""
        found = collections.Counter()
        for line in self.new_lines():
            match = self.LINE.match(line)
            if match and not match.group(2).startswith("/api/"):
                found[f"{match.group(1)} {match.group(2)}"] += 1
        return found


@dataclasses.dataclass
class Usage:
    """Everything one phase cost, in totals."""

    invocations: list  # request-log entries: route, http_method, status, latency_ms
    preflights: list  # paths
    dynamodb: dict
    gateway: dict
    authy_calls: dict
    callbacks_delivered: int
    seconds: float
    site_requests: collections.Counter  # files the site server sent (its log)

    def lambda_rest(self):
        return collections.Counter(f"{e['http_method']} {e['route']}" for e in self.invocations)

    def ws_invocations(self):
        return sum(self.gateway["invocations"].values())

    def lambda_invocations(self):
        return len(self.invocations) + self.ws_invocations()

    def lambda_ms(self):
        """Handler time, summed: the REST handlers' latency_ms and the WebSocket handlers'."""
        rest = sum(e["latency_ms"] for e in self.invocations)
        return rest + sum(sum(values) for values in self.gateway["handler_ms"].values())

    def authy_total(self):
        return sum(self.authy_calls.values())


class Meter:
    """Snapshots the stack's counters; ``stop()`` answers the Usage since ``start()``."""

    def __init__(self, stack):
        self.stack = stack
        self.log = ApiLog(stack.log_dir / "api.log")
        self.site_log = SiteLog(stack.log_dir / "site.log")
        self.session = requests.Session()
        self._before = None
        self._started = None

    def _get(self, url):
        response = self.session.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def snapshot(self):
        return {
            "dynamodb": self._get(f"{self.stack.dynamodb_counter_url}/_counter/stats"),
            "gateway": self._get(f"{self.stack.ws_management_url}/stats"),
            "authy": self._get(f"{self.stack.emulator_url}/emulator/stats"),
        }

    def start(self):
        self.settle()
        self.log.skip_to_end()
        self.site_log.skip_to_end()
        self._before = self.snapshot()
        self._started = time.monotonic()

    def settle(self, timeout=15.0):
        """Wait until no socket is open and no callback is queued, so totals are complete."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            gateway = self._get(f"{self.stack.ws_management_url}/stats")
            callbacks = self._get(f"{self.stack.emulator_url}/emulator/callback")
            if gateway["open"] == 0 and callbacks["queued"] == 0:
                time.sleep(0.3)  # the last handler's log line and DynamoDB calls
                return
            time.sleep(0.1)

    def stop(self):
        seconds = time.monotonic() - self._started
        self.settle()
        after = self.snapshot()
        invocations, preflights = self.log.read_new()
        before = self._before
        return Usage(
            invocations=invocations,
            preflights=preflights,
            dynamodb=_diff_dynamodb(before["dynamodb"], after["dynamodb"]),
            gateway=_diff_gateway(before["gateway"], after["gateway"]),
            authy_calls=_diff_counts(before["authy"]["calls"], after["authy"]["calls"]),
            callbacks_delivered=after["authy"]["callbacks"]["delivered"]
            - before["authy"]["callbacks"]["delivered"],
            seconds=seconds,
            site_requests=self.site_log.read_new(),
        )


def _diff_counts(before, after):
    changed = {name: after[name] - before.get(name, 0) for name in after}
    return {name: change for name, change in changed.items() if change}


def _diff_dynamodb(before, after):
    return {
        "operations": _diff_counts(before["operations"], after["operations"]),
        "errors": _diff_counts(before["errors"], after["errors"]),
        "reads": after["reads"] - before["reads"],
        "writes": after["writes"] - before["writes"],
        "read_units": after["read_units"] - before["read_units"],
        "write_units": after["write_units"] - before["write_units"],
        "largest_item_bytes": after["largest_item_bytes"],
    }


def _diff_gateway(before, after):
    counted = ("rejected", "messages_in", "posts", "gone", "deleted")
    return {
        "invocations": _diff_counts(before["invocations"], after["invocations"]),
        **{name: after[name] - before[name] for name in counted},
        "handler_ms": {
            route: values[len(before["handler_ms"].get(route, [])) :]
            for route, values in after["handler_ms"].items()
        },
        "connected_ms": after["connected_ms"][len(before["connected_ms"]) :],
    }
