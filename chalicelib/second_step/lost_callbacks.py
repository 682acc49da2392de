"""Whether this stage's push callbacks go missing, as this Lambda instance has seen.

A pending push is settled by the vendor's callback; when none comes, a status call looks
at the vendor itself (``push.settle``). When that look finds an answer no callback
brought, the callback URL is most likely wrong (the usual first-deploy mistake: a typo
in the Authy console), so for the next hour this instance asks pages to poll every 2 s
instead of every 10 s, and looks at the vendor sooner and more often. A person then
waits about two seconds, not ten, while the callback is fixed.

Kept in memory only: a hint that costs no request and no write. Each warm instance
learns it by itself, from one slow login; a cold one starts hopeful. Any authentic
callback that reaches the instance ends it at once: a person who taps Approve and polls
before Authy's callback lands (anyone can) turns it on only until the callback comes.
"""

REMEMBERED_FOR = 3600
SAFETY_POLL_MS = 10_000  # with a socket, callbacks arriving: a poll only catches expiry
LOST_POLL_MS = 2_000  # callbacks lost: the page polls, each poll may look at the vendor

_seen_at = None


def seen(now):
    """A look at the vendor found an answer that no callback had brought."""
    global _seen_at
    _seen_at = now


def arrived():
    """An authentic callback reached us: callbacks are not lost."""
    global _seen_at
    _seen_at = None


def lost(now):
    return _seen_at is not None and now - _seen_at < REMEMBERED_FOR


def poll_ms(now):
    """How often a page with a socket should ask GET /login/status about a pending push."""
    return LOST_POLL_MS if lost(now) else SAFETY_POLL_MS
