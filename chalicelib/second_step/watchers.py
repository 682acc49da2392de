"""Browsers watching a challenge over the WebSocket API, and telling them how it ended.

The page opens a socket and sends ``{"action": "watch", "token": <challenge token>}``
as its first message, so the token never sits in a URL that a server logs. Only the
outcome travels over the socket; the session is still handed out by GET /login/status
or POST /login/verify. Messages go through API Gateway's @connections endpoint
(``WEBSOCKET_MANAGEMENT_URL``), the same way in AWS, locally and in tests.

A challenge takes at most ``MAX_WATCHERS`` watches, and they are told in parallel with
short timeouts, so a callback from Authy is answered within 2 seconds whatever the
sockets do (Authy turns a callback URL off after repeated slow or failed answers).
"""

import concurrent.futures
import functools
import json
import logging

from chalicelib import clock, requestlog, storage
from chalicelib.config import settings
from chalicelib.errors import AppError, MalformedJSON, TooManyWatchers
from chalicelib.models import LoginChallenge, WatchConnection
from chalicelib.second_step.challenge import load_challenge, status_of

log = logging.getLogger(__name__)

MAX_MESSAGE = 1024
MAX_WATCHERS = 3  # a page, a reload and a second tab
NOTIFY_SECONDS = 1.0  # how long a callback waits for the sockets, in all


def origin_allowed(headers):
    """Only the site may open a socket (a cross-site page must not watch for it)."""
    headers = {str(k).lower(): v for k, v in (headers or {}).items()}
    return headers.get("origin") == settings().site_origin


def watch(connection_id, message):
    """Register the connection for the challenge its message names; answer its status."""
    try:
        challenge = load_challenge(_token_of(message))
        _register(connection_id, challenge)
    except AppError as error:
        _send(connection_id, {"error": error.code})
        return
    requestlog.note(challenge_id=challenge.challenge_id, event="watch")
    _send(connection_id, {"status": status_of(challenge)})


def _register(connection_id, challenge):
    """Count the watch on the challenge and store the connection, in one transaction."""
    transaction = storage.Transaction()
    transaction.update(
        "challenge",
        LoginChallenge(token_hash=challenge.token_hash),
        [LoginChallenge.watchers.add(1)],
        LoginChallenge.token_hash.exists()
        & (LoginChallenge.watchers.does_not_exist() | (LoginChallenge.watchers < MAX_WATCHERS)),
    )
    connection = WatchConnection(
        connection_id=connection_id,
        challenge_hash=challenge.token_hash,
        expires_at=challenge.expires_at,
        ttl=clock.at(challenge.expires_at),
    )
    transaction.save("connection", connection)
    if transaction.commit():
        raise TooManyWatchers()


def _token_of(message):
    if not isinstance(message, str) or len(message) > MAX_MESSAGE:
        raise MalformedJSON()
    try:
        data = json.loads(message)
    except ValueError:
        raise MalformedJSON() from None
    if not isinstance(data, dict) or data.get("action") != "watch":
        raise MalformedJSON()
    token = data.get("token")
    return token if isinstance(token, str) and len(token) <= 256 else None


def forget(connection_id):
    """The socket closed: forget it."""
    WatchConnection(connection_id=connection_id).delete()


def notify(challenge, status):
    """Tell every socket watching ``challenge`` its new status, all at once; drop the gone.

    Only called while the challenge is live, and a watch lives as long as its challenge,
    so every connection the index names is still worth telling.
    """
    if not settings().websocket_management_url:
        return
    ids = [key.connection_id for key in WatchConnection.challenge_index.query(challenge.token_hash)]
    if not ids:
        return
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=MAX_WATCHERS)
    try:
        sent = {pool.submit(_send, cid, {"status": status}): cid for cid in ids[:MAX_WATCHERS]}
        done, _ = concurrent.futures.wait(sent, timeout=NOTIFY_SECONDS)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    for future in done:
        if not future.result():
            WatchConnection(connection_id=sent[future]).delete()


def _send(connection_id, payload):
    """Post to one connection; False when it is gone (or the endpoint fails)."""
    if not settings().websocket_management_url:
        return False
    client = _management_client()
    try:
        client.post_to_connection(ConnectionId=connection_id, Data=json.dumps(payload).encode())
    except client.exceptions.GoneException:
        return False
    except Exception:  # noqa: BLE001 - a lost push only means the page polls instead
        log.warning("could not post to a websocket connection", exc_info=True)
        return False
    return True


@functools.lru_cache(maxsize=1)
def _management_client():
    """API Gateway's @connections client, made on first use (cold starts never pay)."""
    import botocore.config
    import botocore.session

    return botocore.session.get_session().create_client(
        "apigatewaymanagementapi",
        endpoint_url=settings().websocket_management_url,
        config=botocore.config.Config(
            connect_timeout=0.5,
            read_timeout=NOTIFY_SECONDS,
            retries={"total_max_attempts": 1},
            max_pool_connections=MAX_WATCHERS,
        ),
    )
