"""Sessions: 12 h absolute life, 30 min idle; made only by the second step, when it is proven."""

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib import audit, clock, storage, tokens
from chalicelib.errors import SessionInvalid
from chalicelib.models import Session

SESSION_SECONDS = 12 * 3600
IDLE_SECONDS = 30 * 60
STEP_UP_SECONDS = 10 * 60  # a change to the account's security needs a proof this fresh
_TOUCH_EVERY = 60  # refresh last_seen_at at most once a minute: one write, not one per read


def new_session(email, now, token_hash=None):
    """An unsaved session for ``email``: ``(what the client gets, the item to save)``.

    The second step saves it in the same transaction that spends its challenge. A
    challenge that names its session already (``token_hash``: the client was given the
    token with the challenge) gets that one, and the client's part has no token.
    """
    token = None if token_hash else tokens.new_token()
    session = Session(
        token_hash=token_hash or tokens.hash_token(token),
        email=email,
        created_at=now,
        expires_at=now + SESSION_SECONDS,
        last_seen_at=now,
        proven_at=now,
        ttl=clock.at(now + SESSION_SECONDS),
    )
    return client_view(session, now, token), session


def client_view(session, now, token=None):
    """What the client is told of a session: its token (when the server has it) and lives."""
    view = {"expires_in": max(0, int(session.expires_at - now)), "idle_timeout": IDLE_SECONDS}
    return {"token": token, **view} if token else view


def find(token_hash):
    """The live session stored under ``token_hash``, or None (unlike ``resolve_session``,
    a read only: it neither touches the session nor needs its token)."""
    session = storage.get_or_none(Session, token_hash)
    return session if session is not None and _alive(session, clock.now()) else None


def _alive(session, now):
    """Within its absolute life, and used within the idle timeout."""
    return now < session.expires_at and now - session.last_seen_at < IDLE_SECONDS


def resolve_session(token):
    """The live session behind a bearer token, or SessionInvalid."""
    if not token:
        raise SessionInvalid()
    try:
        session = Session.get(tokens.hash_token(token), consistent_read=True)
    except DoesNotExist:
        raise SessionInvalid() from None
    now = clock.now()
    if not _alive(session, now):
        raise SessionInvalid()
    if now - session.last_seen_at >= _TOUCH_EVERY:
        try:
            session.update(
                actions=[Session.last_seen_at.set(now)],
                condition=Session.token_hash.exists(),  # never resurrect a logged-out session
            )
        except UpdateError as exc:
            if not storage.condition_failed(exc):
                raise
            raise SessionInvalid() from None
    return session


def log_out(token, context):
    """End the live session behind ``token``; SessionInvalid if there is none."""
    session = resolve_session(token)
    session.delete()
    audit.record_for(context, session.email, "logout")


def end_all(email, keep=None):
    """End every session of the account but ``keep`` (a token hash); how many ended."""
    ended = 0
    for key in Session.account_index.query(email):
        if key.token_hash != keep:
            Session(token_hash=key.token_hash).delete()
            ended += 1
    return ended
