"""A counting HTTP proxy in front of the local DynamoDB: what each operation costs, counted.

``python -m devstack.dynamodb_counter --port 8045 --target http://127.0.0.1:8044``
forwards every request unchanged and tallies DynamoDB operations by their
``X-Amz-Target`` (``DynamoDB_20120810.GetItem``), with the request units AWS would bill
on demand: an eventually consistent read is 0.5 RRU per 4 KB, a strongly consistent one
1, a write 1 WRU per KB, a transactional one twice that. Item sizes are estimated from
the JSON (an overestimate: DynamoDB counts names and values, not quotes and type tags).
``GET /_counter/stats`` answers the tallies.
"""

import argparse
import collections
import contextlib
import http.client
import http.server
import json
import math
import socket
import sys
import threading
import urllib.parse

HOST = "127.0.0.1"
STATS_PATH = "/_counter/stats"
READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "trailer"}


def _size(value):
    return len(json.dumps(value, separators=(",", ":")))


def read_units(operation, request, response):
    """RRU for one read, from the request (consistency) and the items it returned."""
    factor = 1.0 if request.get("ConsistentRead") else 0.5
    if operation == "GetItem":
        return factor * max(1, math.ceil(_size(response.get("Item", {})) / 4096))
    if operation in ("Query", "Scan"):
        return factor * max(1, math.ceil(sum(map(_size, response.get("Items", []))) / 4096))
    if operation == "BatchGetItem":
        items = [item for found in response.get("Responses", {}).values() for item in found]
        return sum(factor * max(1, math.ceil(_size(item) / 4096)) for item in items)
    if operation == "TransactGetItems":
        items = [found.get("Item", {}) for found in response.get("Responses", [])]
        return sum(2 * max(1, math.ceil(_size(item) / 4096)) for item in items)
    return 0.0


def write_units(operation, request):
    """WRU for one write; updates and deletes of items under 1 KB cost 1 (ours all are)."""
    if operation == "PutItem":
        return max(1, math.ceil(_size(request.get("Item", {})) / 1024))
    if operation in ("UpdateItem", "DeleteItem"):
        return 1
    if operation == "BatchWriteItem":
        return sum(len(items) for items in request.get("RequestItems", {}).values())
    if operation == "TransactWriteItems":
        return 2 * len(request.get("TransactItems", []))
    return 0


class Tally:
    """Operations, errors and request units, safe across threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self.operations = collections.Counter()
        self.errors = collections.Counter()
        self.read_units = 0.0
        self.write_units = 0
        self.largest_item = 0

    def record(self, operation, request, status, response):
        with self._lock:
            self.operations[operation] += 1
            if status >= 400:
                self.errors[operation] += 1
            if operation in READS and status < 400:
                self.read_units += read_units(operation, request, response)
            if operation in WRITES:  # a failed condition is billed too
                self.write_units += write_units(operation, request)
            for item in _items(request, response):
                self.largest_item = max(self.largest_item, _size(item))

    def snapshot(self):
        with self._lock:
            return {
                "operations": dict(self.operations),
                "errors": dict(self.errors),
                "reads": sum(n for op, n in self.operations.items() if op in READS),
                "writes": sum(n for op, n in self.operations.items() if op in WRITES),
                "read_units": self.read_units,
                "write_units": self.write_units,
                "largest_item_bytes": self.largest_item,
            }


def _items(request, response):
    if "Item" in request:
        yield request["Item"]
    if "Item" in response:
        yield response["Item"]
    yield from response.get("Items", [])


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Forward one request to the target on this thread's own keep-alive connection."""

    target = None  # (host, port)
    tally = None
    protocol_version = "HTTP/1.1"
    _local = threading.local()

    def setup(self):
        super().setup()
        # Headers and body leave in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK hold every answer back ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):  # noqa: N802 - the name http.server calls
        if urllib.parse.urlsplit(self.path).path == STATS_PATH:
            body = json.dumps(self.tally.snapshot()).encode()
            return self._reply(200, [("Content-Type", "application/json")], body)
        self._forward()

    def do_POST(self):  # noqa: N802
        self._forward()

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        status, reply_headers, reply = self._send(self.command, self.path, body, headers)
        target = self.headers.get("X-Amz-Target", "")
        if target.startswith("DynamoDB_"):
            operation = target.partition(".")[2]
            self.tally.record(operation, _json(body), status, _json(reply))
        self._reply(status, reply_headers, reply)

    def _send(self, method, path, body, headers):
        for attempt in (1, 2):  # a kept-alive connection the target closed: open a new one
            connection = getattr(self._local, "connection", None)
            if connection is None:
                connection = http.client.HTTPConnection(*self.target, timeout=30)
                self._local.connection = connection
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _reply(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # every DynamoDB call would be a line; the tallies say what matters


def _json(raw):
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def make_server(port, target_url):
    parts = urllib.parse.urlsplit(target_url)
    handler = type(
        "Handler",
        (ProxyHandler,),
        {"target": (parts.hostname, parts.port or 80), "tally": Tally()},
    )
    server = http.server.ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m devstack.dynamodb_counter")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--target", required=True, help="the DynamoDB endpoint to forward to")
    args = parser.parse_args(argv)
    try:
        server = make_server(args.port, args.target)
    except OSError as exc:
        sys.exit(f"dynamodb counter: cannot listen on {HOST}:{args.port}: {exc.strerror or exc}")
    print(f"DynamoDB counter on http://{HOST}:{args.port} → {args.target}", flush=True)
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
