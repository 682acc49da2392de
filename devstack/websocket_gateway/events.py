"""API Gateway WebSocket events, shaped as Lambda receives them (pure functions).

The shapes follow the events API Gateway sends to a WebSocket API's integrations:
``$connect`` carries the handshake's headers (and query string, if any), ``$default``
carries the frame as ``body``, ``$disconnect`` says who closed and why.
"""

import base64
import secrets
import time
import urllib.parse
import uuid

EVENT_TYPES = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}


def new_connection_id():
    """An id shaped like API Gateway's: 16 base64 characters, e.g. ``L0SM9cOFvHcCIhw=``."""
    return base64.b64encode(secrets.token_bytes(11)).decode("ascii")


def request_time(epoch_ms):
    """API Gateway's ``requestTime``: ``09/Feb/2019:18:15:31 +0000``."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000))


def request_context(route, connection, api, now_ms=None):
    """The ``requestContext`` every route gets.

    ``connection`` is a dict with ``id``, ``connected_at`` (epoch ms), ``source_ip`` and
    ``user_agent``; ``api`` has ``api_id``, ``stage`` and ``domain_name``.
    """
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    identity = {"sourceIp": connection["source_ip"]}
    if connection.get("user_agent"):
        identity["userAgent"] = connection["user_agent"]
    return {
        "routeKey": route,
        "eventType": EVENT_TYPES.get(route, "MESSAGE"),
        "extendedRequestId": _request_id(),
        "requestTime": request_time(now_ms),
        "messageDirection": "IN",
        "stage": api["stage"],
        "connectedAt": connection["connected_at"],
        "requestTimeEpoch": now_ms,
        "identity": identity,
        "requestId": _request_id(),
        "domainName": api["domain_name"],
        "connectionId": connection["id"],
        "apiId": api["api_id"],
    }


def connect_event(connection, api, headers, path="/", now_ms=None):
    """``$connect``: the handshake's headers as API Gateway forwards them."""
    forwarded = [(name, value) for name, value in headers if name.lower() != "host"]
    forwarded = [("Host", api["domain_name"]), *forwarded]
    forwarded += [
        ("X-Amzn-Trace-Id", f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"),
        ("X-Forwarded-For", connection["source_ip"]),
        ("X-Forwarded-Port", api["port"]),
        ("X-Forwarded-Proto", api["scheme"]),
    ]
    event = {
        "headers": {name: value for name, value in forwarded},
        "multiValueHeaders": _multi(forwarded),
        "requestContext": request_context("$connect", connection, api, now_ms),
        "isBase64Encoded": False,
    }
    query = urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query, keep_blank_values=True)
    if query:
        event["queryStringParameters"] = dict(query)
        event["multiValueQueryStringParameters"] = _multi(query)
    return event


def message_event(connection, api, data, now_ms=None):
    """``$default``: one frame; a binary frame arrives base64-encoded."""
    context = request_context("$default", connection, api, now_ms)
    context["messageId"] = _request_id()
    if isinstance(data, bytes):
        body, encoded = base64.b64encode(data).decode("ascii"), True
    else:
        body, encoded = data, False
    return {"requestContext": context, "body": body, "isBase64Encoded": encoded}


def disconnect_event(connection, api, status_code, reason, now_ms=None):
    """``$disconnect``: sent once the socket is closed, by either side."""
    context = request_context("$disconnect", connection, api, now_ms)
    context["disconnectStatusCode"] = status_code
    context["disconnectReason"] = reason or ""
    headers = [("Host", api["domain_name"]), ("X-Forwarded-For", connection["source_ip"])]
    return {
        "headers": dict(headers),
        "multiValueHeaders": _multi(headers),
        "requestContext": context,
        "isBase64Encoded": False,
    }


def _multi(pairs):
    merged = {}
    for name, value in pairs:
        merged.setdefault(name, []).append(value)
    return merged


def _request_id():
    # API Gateway's ids are opaque; a base64-ish token of the same length will do.
    return base64.b64encode(uuid.uuid4().bytes[:12]).decode("ascii").rstrip("=")
