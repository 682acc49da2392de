"""The WebSocket side of API Gateway, on loopback: sockets in, Lambda handlers called.

Each accepted socket gets a connection id; ``$connect`` runs before the handshake
completes (a non-2xx answer refuses it with that status), every frame runs ``$default``,
and the close runs ``$disconnect``. Handlers run in a thread pool, one message at a time
per connection, so a slow handler holds up only its own socket. The @connections API
(``management.py``) reaches the sockets through ``post``, ``close`` and ``describe``,
which are safe to call from any thread.
"""

import asyncio
import collections
import concurrent.futures
import contextlib
import json
import logging
import threading
import time

from chalice.local import LambdaContext
from websockets.exceptions import ConnectionClosed

from devstack.websocket_gateway import events

log = logging.getLogger("devstack.websocket_gateway")

ROUTES = ("$connect", "$default", "$disconnect")
SEND_TIMEOUT = 5.0
KEEP_DURATIONS = 10_000


class Gone(Exception):
    """The connection id names no open socket (API Gateway's GoneException)."""


class Throttled(Exception):
    """The client is not reading: its buffer is full (API Gateway's LimitExceededException)."""


class Gateway:
    """Connections, the handlers they invoke, and what happened (``stats``)."""

    def __init__(self, handlers, api, executor, loop, memory_size=512, send_timeout=SEND_TIMEOUT):
        self.handlers = handlers  # route key -> callable(event, context)
        self.api = api  # api_id, stage, domain_name, port, scheme
        self.executor = executor
        self.loop = loop
        self.memory_size = memory_size
        self.send_timeout = send_timeout
        self._lock = threading.Lock()
        self._open = {}  # connection id -> (ServerConnection, info)
        self._counts = collections.Counter()
        self._durations = {route: collections.deque(maxlen=KEEP_DURATIONS) for route in ROUTES}
        self._connected_ms = collections.deque(maxlen=KEEP_DURATIONS)

    # the socket side (event loop)

    async def process_request(self, connection, request):
        """``$connect``: refuse the handshake unless the handler answers 2xx."""
        info = {
            "id": events.new_connection_id(),
            "connected_at": _now_ms(),
            "source_ip": connection.remote_address[0],
            "user_agent": request.headers.get("User-Agent"),
        }
        headers = list(request.headers.raw_items())
        event = events.connect_event(info, self.api, headers, request.path)
        status = _status_of(await self._invoke("$connect", event))
        if not 200 <= status < 300:
            self._count("rejected")
            return connection.respond(status, "Forbidden\n" if status == 403 else "Refused\n")
        connection.gateway_info = info
        return None

    async def handle(self, connection):
        """One open socket: register it, run ``$default`` per frame, ``$disconnect`` at the end."""
        info = connection.gateway_info
        info["last_active_at"] = _now_ms()
        with self._lock:
            self._open[info["id"]] = (connection, info)
        try:
            async for data in connection:
                info["last_active_at"] = _now_ms()
                self._count("messages_in")
                result = await self._invoke("$default", events.message_event(info, self.api, data))
                if result is _FAILED:
                    await _send_quietly(connection, _internal_error(info))
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._open.pop(info["id"], None)
                self._connected_ms.append(_now_ms() - info["connected_at"])
            code = connection.close_code if connection.close_code is not None else 1006
            event = events.disconnect_event(info, self.api, code, connection.close_reason)
            await self._invoke("$disconnect", event)

    async def _invoke(self, route, event):
        handler = self.handlers.get(route)
        if handler is None:
            return None
        self._count(f"invocations:{route}")
        started = time.perf_counter()
        try:
            return await self.loop.run_in_executor(self.executor, self._call, handler, event)
        except Exception:  # noqa: BLE001 - a failing Lambda is an answer, not a crash
            log.exception("%s handler failed", route)
            self._count(f"errors:{route}")
            return _FAILED
        finally:
            with self._lock:
                self._durations[route].append((time.perf_counter() - started) * 1000)

    def _call(self, handler, event):
        context = LambdaContext(f"websocket{event['requestContext']['routeKey']}", self.memory_size)
        return handler(event, context)

    # the @connections side (any thread)

    def post(self, connection_id, data):
        """Send ``data`` (bytes) as one frame: text when it is UTF-8, else binary."""
        connection, info = self._find(connection_id)
        try:
            message = data.decode("utf-8")
        except UnicodeDecodeError:
            message = data
        future = asyncio.run_coroutine_threadsafe(connection.send(message), self.loop)
        try:
            future.result(self.send_timeout)
        except ConnectionClosed:
            self._count("gone")
            raise Gone(connection_id) from None
        except concurrent.futures.TimeoutError:
            future.cancel()
            self._count("throttled")
            raise Throttled(connection_id) from None
        info["last_active_at"] = _now_ms()
        self._count("posts")

    def close(self, connection_id):
        connection, _ = self._find(connection_id)
        asyncio.run_coroutine_threadsafe(connection.close(), self.loop).result(self.send_timeout)
        self._count("deleted")

    def describe(self, connection_id):
        _, info = self._find(connection_id)
        return dict(info)

    def _find(self, connection_id):
        with self._lock:
            found = self._open.get(connection_id)
        if found is None:
            self._count("gone")
            raise Gone(connection_id)
        return found

    # what happened

    def _count(self, name):
        with self._lock:
            self._counts[name] += 1

    def stats(self):
        """Invocations per route, pushes, refusals, open sockets, handler and socket times."""
        with self._lock:
            counts = dict(self._counts)
            durations = {route: list(values) for route, values in self._durations.items()}
            connected = list(self._connected_ms)
            open_now = len(self._open)
        return {
            "invocations": {route: counts.get(f"invocations:{route}", 0) for route in ROUTES},
            "errors": {route: counts.get(f"errors:{route}", 0) for route in ROUTES},
            **{
                name: counts.get(name, 0)
                for name in ("rejected", "messages_in", "posts", "gone", "throttled", "deleted")
            },
            "open": open_now,
            "handler_ms": durations,
            "connected_ms": connected,
        }


_FAILED = object()


def _status_of(result):
    """The statusCode a handler answered; a failure or a missing one counts as 500."""
    if result is _FAILED:
        return 500
    if result is None:
        return 200
    status = result.get("statusCode", 200) if isinstance(result, dict) else 200
    return status if isinstance(status, int) else 500


def _internal_error(info):
    """What API Gateway sends a client whose message made the integration fail."""
    return json.dumps(
        {"message": "Internal server error", "connectionId": info["id"], "requestId": "local"}
    )


async def _send_quietly(connection, message):
    with contextlib.suppress(ConnectionClosed):
        await connection.send(message)


def _now_ms():
    return int(time.time() * 1000)
