"""The audit log: what happened to an account, when, how and from where (90 days)."""

import itertools
import logging
import secrets

from chalicelib import clock
from chalicelib.context import describe_browser
from chalicelib.models import AuditEvent

log = logging.getLogger(__name__)

KEEP_SECONDS = 90 * 24 * 3600
SHOWN = 20
# Orders the events one process records in the same millisecond (a login's push_sent and
# code_sent, say); across processes the random part keeps ids apart.
_sequence = itertools.count()


def event(email, kind, *, ip=None, user_agent=None, method=None):
    """An unsaved event, for a transaction that writes it with what it describes."""
    now = clock.now()
    return AuditEvent(
        email=email,
        event_id=f"{int(now * 1000):015d}#{next(_sequence) % 10**6:06d}{secrets.token_hex(4)}",
        kind=kind,
        method=method,
        at=now,
        ip=ip,
        user_agent=user_agent,
        ttl=clock.at(now + KEEP_SECONDS),
    )


def event_for(context, email, kind, method=None):
    """``event`` with the ip and browser of a RequestContext (or a stored challenge)."""
    return event(email, kind, ip=context.ip, user_agent=context.user_agent, method=method)


def record(email, kind, *, ip=None, user_agent=None, method=None):
    """Append an event; a failure is logged, never allowed to break the login it describes."""
    try:
        event(email, kind, ip=ip, user_agent=user_agent, method=method).save()
    except Exception:  # noqa: BLE001 - the audit trail must not take logins down with it
        log.exception("audit event %s not recorded", kind)


def record_for(context, email, kind, method=None):
    """``record`` with the ip and browser of a RequestContext (or a stored challenge)."""
    record(email, kind, ip=context.ip, user_agent=context.user_agent, method=method)


def latest(email, since=0):
    """The newest events first, as the account page shows them; none before ``since``
    (an address's failed logins from before its account existed are not its owner's)."""
    events = AuditEvent.query(
        email,
        AuditEvent.event_id >= f"{int(since * 1000):015d}",
        scan_index_forward=False,
        limit=SHOWN,
    )
    return [
        {
            "at": clock.iso(event.at),
            "event": event.kind,
            "method": event.method,
            "ip": event.ip,
            "browser": describe_browser(event.user_agent or ""),
        }
        for event in events
    ]
