"""Rate limits: fixed windows in DynamoDB, counted with atomic, conditional ADDs.

``take`` reserves one unit before the guarded work is done, so parallel requests can
never exceed a limit; ``give_back`` returns the unit when the work turned out not to
count (e.g. a password that was right). Per-network limits count an IPv4 address or an
IPv6 /64 (``RequestContext.network``), never a single IPv6 address.
"""

import hashlib
import math
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from chalicelib import clock, storage
from chalicelib.config import settings
from chalicelib.errors import RateLimited, SendLimitReached, TooManyPasswordAttempts
from chalicelib.models import RateCounter

HOUR = 60 * 60


@dataclass(frozen=True)
class Limit:
    name: str
    most: int
    window: int  # seconds
    error: type = RateLimited
    per_network: bool = False

    def allowed(self):
        """How many per window; per-network limits scale by PER_IP_LIMIT_FACTOR (see README)."""
        return self.most * (settings().per_ip_limit_factor if self.per_network else 1)


# Wrong passwords. The hard block is per (email, network), so a stranger's guesses from
# their network never lock the owner out of theirs; the per-email ceiling stops guessing
# spread over many networks, at the price described in the README's security model.
FAILED_PASSWORDS = Limit("password-failures", 10, 15 * 60, TooManyPasswordAttempts)
FAILED_PASSWORDS_PER_EMAIL = Limit("password-failures-email", 100, HOUR, TooManyPasswordAttempts)
LOGINS_PER_NETWORK = Limit("logins-network", 60, 15 * 60, per_network=True)
SIGNUPS_PER_NETWORK = Limit("signups-network", 10, HOUR, per_network=True)
# Texts and calls cost money and can be pumped (SMS toll fraud): per account, per network,
# and per destination number across every account.
SENDS_PER_ACCOUNT = Limit("sends-account", 10, HOUR, SendLimitReached)
SENDS_PER_NETWORK = Limit("sends-network", 30, HOUR, per_network=True)
SENDS_PER_NUMBER = Limit("sends-number", 10, HOUR, SendLimitReached)
SENDS_PER_NUMBER_DAY = Limit("sends-number-day", 20, 24 * HOUR, SendLimitReached)
PUSHES_PER_ACCOUNT = Limit("pushes-account", 3, 15 * 60)
# Emails with links. "Send the link again" per account; every link email per address, so
# no one can fill a stranger's inbox; "Forgot your password?" per typed email and per
# network, known email or not, so the limit answers the same for both; and the links'
# use per network (a token cannot be guessed, but each try reads the table).
EMAIL_LINKS_PER_ACCOUNT = Limit("email-links-account", 3, HOUR)
EMAILS_PER_ADDRESS = Limit("emails-address", 10, 24 * HOUR)
RESET_REQUESTS_PER_EMAIL = Limit("reset-requests-email", 3, HOUR)
RESET_REQUESTS_PER_NETWORK = Limit("reset-requests-network", 10, HOUR, per_network=True)
LINKS_PER_NETWORK = Limit("links-network", 30, 15 * 60, per_network=True)


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


def _window(limit, now):
    start = now - now % limit.window
    return start, start + limit.window


def take_together(pairs):
    """``take`` every ``(limit, subject)`` in one transaction: all are counted, or none is
    and the first refusing limit's error is raised. Returns the counters taken, for
    ``give_back_in``."""
    now = clock.now()
    transaction = storage.Transaction()
    keys = []
    for index, (limit, subject) in enumerate(pairs):
        start, end = _window(limit, now)
        keys.append(_key(limit, subject, start))
        transaction.update(
            str(index),
            RateCounter(key=keys[-1]),
            [RateCounter.count.add(1), RateCounter.ttl.set(clock.at(end + 60))],
            RateCounter.count.does_not_exist() | (RateCounter.count < limit.allowed()),
        )
    refused = transaction.commit()
    if refused:
        limit, _ = pairs[min(int(name) for name in refused)]
        raise limit.error(retry_after=max(1, math.ceil(_window(limit, now)[1] - now)))
    return keys


def give_back_in(transaction, taken):
    """Add to ``transaction`` the return of counters ``take_together`` took: the very
    window's counter each, which holds the unit taken, so no condition is needed."""
    for key in taken:
        transaction.update(f"give-back {key}", RateCounter(key=key), [RateCounter.count.add(-1)])


def take_all(pairs):
    """``take`` every ``(limit, subject)``; on the first refusal give the others back, raise.

    Returns what was taken, for ``give_all_back``.
    """
    taken = []
    try:
        for limit, subject in pairs:
            take(limit, subject)
            taken.append((limit, subject))
    except RateLimited:
        give_all_back(taken)
        raise
    return taken


def give_all_back(taken):
    for limit, subject in taken:
        give_back(limit, subject)
