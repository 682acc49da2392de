"""Rate limits: fixed windows in DynamoDB, counted with atomic, conditional ADDs.

``take`` reserves one unit before the guarded work is done, so parallel requests can
never exceed a limit; ``give_back`` returns the unit when the work turned out not to
count (e.g. a password that was right).
"""

import hashlib
import math
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from chalicelib import clock, storage
from chalicelib.config import settings
from chalicelib.errors import RateLimited, TooManyPasswordAttempts
from chalicelib.models import RateCounter


@dataclass(frozen=True)
class Limit:
    name: str
    most: int
    window: int  # seconds
    error: type = RateLimited
    per_ip: bool = False

    def allowed(self):
        """How many per window; per-IP limits scale by PER_IP_LIMIT_FACTOR (see README)."""
        return self.most * (settings().per_ip_limit_factor if self.per_ip else 1)


FAILED_PASSWORDS = Limit("password-failures", 10, 15 * 60, TooManyPasswordAttempts)  # per account
LOGINS_PER_IP = Limit("logins-ip", 60, 15 * 60, per_ip=True)
SIGNUPS_PER_IP = Limit("signups-ip", 10, 60 * 60, per_ip=True)
SENDS_PER_ACCOUNT = Limit("sends-account", 10, 60 * 60)
SENDS_PER_IP = Limit("sends-ip", 30, 60 * 60, per_ip=True)
PUSHES_PER_ACCOUNT = Limit("pushes-account", 3, 15 * 60)


def _key(limit, subject, window_start):
    digest = hashlib.sha256(str(subject).encode("utf-8")).hexdigest()[:32]
    return f"{limit.name}#{digest}#{int(window_start)}"


def take(limit, subject):
    """Count one for ``subject``; raise the limit's error (with Retry-After) when it is used up."""
    now = clock.now()
    window_start = now - now % limit.window
    window_end = window_start + limit.window
    counter = RateCounter(key=_key(limit, subject, window_start))
    try:
        counter.update(
            actions=[RateCounter.count.add(1), RateCounter.ttl.set(clock.at(window_end + 60))],
            condition=RateCounter.count.does_not_exist() | (RateCounter.count < limit.allowed()),
        )
    except UpdateError as exc:
        if not storage.condition_failed(exc):
            raise
        raise limit.error(retry_after=max(1, math.ceil(window_end - now))) from None


def give_back(limit, subject):
    """Undo one ``take`` in the current window (never below zero)."""
    now = clock.now()
    counter = RateCounter(key=_key(limit, subject, now - now % limit.window))
    try:
        counter.update(actions=[RateCounter.count.add(-1)], condition=RateCounter.count > 0)
    except UpdateError as exc:
        if not storage.condition_failed(exc):
            raise
