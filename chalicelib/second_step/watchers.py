"""Browsers watching a challenge over the WebSocket API, and telling them how it ended.

The page opens a socket and sends ``{"action": "watch", "token": <challenge token>}``
as its first message, so the token never sits in a URL that a server logs. The outcome
travels over the socket; for an approval, with what the callback opened: the session
(never its token: the page was given it with the push, and a socket that watches has
proven it holds the challenge) and the account page. Messages go through API Gateway's
@connections endpoint
(``WEBSOCKET_MANAGEMENT_URL``), the same way in AWS, locally and in tests.

The watching connections are kept on the challenge itself (at most ``MAX_WATCHERS``, a
conditional append): whoever changes the challenge's state has them in hand, a closed
socket needs no write (posting to it later just answers "gone"), and they go when the
challenge does. They are told in parallel with short timeouts, so a callback from Authy
is answered within 2 seconds whatever the sockets do (Authy turns a callback URL off
after repeated slow or failed answers).
"""

import concurrent.futures
import functools
import json
import logging

from pynamodb.expressions.condition import size

from chalicelib import requestlog, storage
from chalicelib.config import settings
from chalicelib.errors import AppError, MalformedJSON, TooManyWatchers
from chalicelib.models import LoginChallenge
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
    """Register the connection on the challenge its message names; answer its status."""
    try:
        challenge = load_challenge(_token_of(message))
        if not storage.write_if(
            LoginChallenge(token_hash=challenge.token_hash).update,
            actions=[LoginChallenge.watchers.set(LoginChallenge.watchers.append([connection_id]))],
            condition=LoginChallenge.token_hash.exists()
            & (size(LoginChallenge.watchers) < MAX_WATCHERS),
        ):
            raise TooManyWatchers()
    except AppError as error:
        _send(connection_id, {"error": error.code})
        return
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


def notify(challenge, news):
    """Tell every socket watching ``challenge`` (as it was just written) ``news``: a dict
    with its new ``status`` (and, from an approval's callback, what it opened).

    All at once, within NOTIFY_SECONDS; a gone or slow socket only means its page polls.
    """
    ids = list(challenge.watchers or [])[:MAX_WATCHERS]
    if not ids or not settings().websocket_management_url:
        return
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=MAX_WATCHERS)
    try:
        sent = [pool.submit(_send, cid, news) for cid in ids]
        concurrent.futures.wait(sent, timeout=NOTIFY_SECONDS)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


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
