"""Time, in one place: epoch seconds for storage, ISO 8601 for clients."""

import time
from datetime import UTC, datetime


def now():
    """Seconds since the epoch, as a float."""
    return time.time()


def at(seconds):
    """A timezone-aware datetime for epoch ``seconds`` (what TTLAttribute stores)."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def iso(seconds):
    """``2026-11-27T20:40:00Z`` for epoch ``seconds``; None stays None."""
    if seconds is None:
        return None
    return at(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")
