"""API Gateway's @connections API over plain HTTP, as botocore's client speaks it.

``apigatewaymanagementapi`` is a REST-JSON service: POST ``/@connections/{id}`` with the
data as the body (200), DELETE (204), GET (200 with the connection's JSON). A stage
prefix (``/api/@connections/{id}``) is accepted, since in AWS the endpoint URL carries
one. Errors carry their code in ``x-amzn-ErrorType``, which botocore maps to its
modelled exceptions (410 → ``GoneException``). Calls must be SigV4-signed, as in AWS
(any credentials do); ``GET /stats`` is ours: what the gateway counted, and ``PUT
/faults`` with ``{"post_delay": seconds}`` makes every POST answer that much later, as a
congested or far-away API Gateway would (tests of the callback's time budget use it).
"""

import datetime
import http.server
import json
import re
import socket
import sys
import time
import urllib.parse
import uuid

from devstack.websocket_gateway.gateway import Gone, Throttled

MAX_PAYLOAD = 128 * 1024  # API Gateway's limit on one message
CONNECTION_PATH = re.compile(r"^(?:/[^/@]+)?/@connections/([^/]+)$")


class ManagementHandler(http.server.BaseHTTPRequestHandler):
    """One request to the @connections API (or to /stats)."""

    gateway = None
    faults = None  # {"post_delay": seconds}, shared by the server's handlers
    protocol_version = "HTTP/1.1"  # botocore keeps connections alive
    server_version = "devstack-apigateway"

    def setup(self):
        super().setup()
        # Headers and body leave in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK hold answers back ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):  # noqa: N802 - the name http.server calls
        connection_id = self._connection_id()
        body = self._read_body()
        if connection_id is None:
            return
        if len(body) > MAX_PAYLOAD:
            return self._error(413, "PayloadTooLargeException", "Message too long")
        time.sleep(self.faults.get("post_delay", 0))
        self._on_connection(lambda: self.gateway.post(connection_id, body), 200)

    def do_PUT(self):  # noqa: N802
        if urllib.parse.urlsplit(self.path).path != "/faults":
            return self._error(404, "NotFoundException", "No method found matching route")
        try:
            delay = float(json.loads(self._read_body() or b"{}").get("post_delay", 0))
        except (ValueError, AttributeError):
            return self._error(400, "BadRequestException", "post_delay must be seconds")
        self.faults["post_delay"] = max(0.0, min(delay, 30.0))
        self._json(200, dict(self.faults))

    def do_DELETE(self):  # noqa: N802
        connection_id = self._connection_id()
        self._read_body()
        if connection_id is not None:
            self._on_connection(lambda: self.gateway.close(connection_id), 204)

    def do_GET(self):  # noqa: N802
        if urllib.parse.urlsplit(self.path).path == "/stats":
            return self._json(200, self.gateway.stats())
        connection_id = self._connection_id()
        if connection_id is None:
            return
        try:
            info = self.gateway.describe(connection_id)
        except Gone:
            return self._error(410, "GoneException", None)
        self._json(200, _connection_json(info))

    def _connection_id(self):
        """The id in the path; answers 404 or 403 itself (and returns None) when it cannot."""
        match = CONNECTION_PATH.match(urllib.parse.urlsplit(self.path).path)
        if match is None:
            self._error(404, "NotFoundException", "No method found matching route")
            return None
        if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
            self._error(403, "ForbiddenException", "Missing Authentication Token")
            return None
        return urllib.parse.unquote(match.group(1))

    def _on_connection(self, action, status):
        try:
            action()
        except Gone:
            return self._error(410, "GoneException", None)
        except Throttled:
            return self._error(429, "LimitExceededException", "The client is not reading")
        self._answer(status, b"", None)

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, status, payload):
        self._answer(status, json.dumps(payload).encode(), "application/json")

    def _error(self, status, code, message):
        body = json.dumps({"message": message}).encode()
        self._answer(status, body, "application/json", {"x-amzn-ErrorType": code})

    def _answer(self, status, body, content_type, headers=None):
        self.send_response(status)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stdout.write(f"@connections: {format % args}\n")


def _connection_json(info):
    identity = {"sourceIp": info["source_ip"], "userAgent": info.get("user_agent") or ""}
    return {
        "connectedAt": _iso(info["connected_at"]),
        "identity": identity,
        "lastActiveAt": _iso(info.get("last_active_at", info["connected_at"])),
    }


def _iso(epoch_ms):
    moment = datetime.datetime.fromtimestamp(epoch_ms / 1000, datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_server(gateway, sock):
    """A threaded HTTP server for the @connections API on an already listening socket."""
    handler = type("Handler", (ManagementHandler,), {"gateway": gateway, "faults": {}})
    server = http.server.ThreadingHTTPServer(sock.getsockname(), handler, bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.daemon_threads = True
    return server
