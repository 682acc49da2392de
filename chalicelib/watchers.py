"""Browsers watching a challenge over the WebSocket API, and telling them how it ended.

The page opens a socket and sends ``{"action": "watch", "token": <challenge token>}``
as its first message, so the token never sits in a URL that a server logs. Only the
outcome travels over the socket; the session is still handed out by GET /login/status
or POST /login/verify. Messages go through API Gateway's @connections endpoint
(``WEBSOCKET_MANAGEMENT_URL``), the same way in AWS, locally and in tests.
"""

import functools
import json
import logging

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock, requestlog
from chalicelib.challenges import load_challenge, status_of
from chalicelib.config import settings
from chalicelib.errors import AppError, MalformedJSON
from chalicelib.models import WatchConnection

log = logging.getLogger(__name__)

MAX_MESSAGE = 1024


def origin_allowed(headers):
    """Only the site may open a socket (a cross-site page must not watch for it)."""
    headers = {str(k).lower(): v for k, v in (headers or {}).items()}
    return headers.get("origin") == settings().site_origin


def watch(connection_id, message):
    """Register the connection for the challenge its message names; answer its status."""
    try:
        token = _token_of(message)
        challenge = load_challenge(token)
    except AppError as error:
        _send(connection_id, {"error": error.code})
        return
    WatchConnection(
        connection_id=connection_id,
        challenge_hash=challenge.token_hash,
        expires_at=challenge.expires_at,
        ttl=clock.at(challenge.expires_at),
    ).save()
    requestlog.note(challenge_id=challenge.challenge_id, event="watch")
    _send(connection_id, {"status": status_of(challenge)})


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
    """Tell every live socket watching ``challenge`` its new status; drop the dead ones."""
    if not settings().websocket_management_url:
        return
    now = clock.now()
    for key in WatchConnection.challenge_index.query(challenge.token_hash):
        try:
            connection = WatchConnection.get(key.connection_id)
        except DoesNotExist:
            continue
        if connection.expires_at <= now or not _send(connection.connection_id, {"status": status}):
            connection.delete()


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
            connect_timeout=1, read_timeout=2, retries={"max_attempts": 2}
        ),
    )
