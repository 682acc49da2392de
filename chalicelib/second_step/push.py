"""OneTouch pushes, with limits against push fatigue (MFA bombing).

At most three pushes per account in 15 minutes, and none for 10 minutes after a Deny
(codes only). A newer login supersedes the older ones, so only the newest push can ever
become a session. A push that cannot be sent is never an error: the login falls back to
a code and the challenge says why (``fallback_reason``), so the page can tell the person.
"""

import logging

from chalicelib import audit, clock, ratelimits, storage
from chalicelib.config import settings
from chalicelib.errors import RateLimited, VendorUnavailable
from chalicelib.models import LoginChallenge, User
from chalicelib.second_step import lost_callbacks, watchers
from chalicelib.second_step.challenge import ONETOUCH_SECONDS, status_of, update_if
from chalicelib.vendors import Person, vendor

log = logging.getLogger(__name__)

PAUSE_AFTER_DENY = 10 * 60
CHECK_VENDOR_AFTER = 3  # seconds with no callback before a status call asks the vendor
CHECK_VENDOR_EVERY = 5
# While callbacks are being lost (lost_callbacks): sooner and more often, as pages poll.
CHECK_VENDOR_AFTER_LOST = 2
CHECK_VENDOR_EVERY_LOST = 2
FINAL = ("approved", "denied", "expired")
NO_PUSHES = "no_push"  # the vendor has no push at all (Verify): not a fallback to explain


def message_for(purpose):
    """What the phone asks: a signup confirms the phone for a new account, not a login."""
    name = settings().app_name
    if purpose == "signup":
        return f"Confirm this phone for your new {name} account?"
    if purpose == "step_up":
        return f"Confirm a change to your {name} account's security?"
    return f"Log in to {name}?"


def send_push(challenge, user, context, now, writes):
    """Try to reach the phone's app; return None when a push was sent, else why not.

    Its audit event joins ``writes``, the login's one write.
    """
    pushing = vendor()
    if not pushing.pushes:
        return NO_PUSHES
    if (user.push_paused_until or 0) > now:
        return "push_paused"
    person = Person.of(user)
    try:
        if not pushing.has_app(person):
            return "no_app"
    except VendorUnavailable:
        return "push_unavailable"
    try:
        ratelimits.take(ratelimits.PUSHES_PER_ACCOUNT, user.email)
    except RateLimited:
        return "push_limit"
    try:
        uuid = pushing.push(
            person,
            message=message_for(challenge.purpose),
            details={
                "Email": user.email,
                "Browser": context.browser,
                "IP address": context.ip,
                "Time": clock.iso(now).replace("T", " ").replace("Z", " UTC"),
                "Request code": challenge.request_code,
            },
            hidden_details={"challenge_id": challenge.challenge_id},
            seconds=ONETOUCH_SECONDS,
        )
    except VendorUnavailable:
        log.warning("challenge %s: push unavailable", challenge.challenge_id)
        ratelimits.give_back(ratelimits.PUSHES_PER_ACCOUNT, user.email)
        return "push_unavailable"
    challenge.method = "onetouch"
    challenge.onetouch_uuid = uuid
    challenge.onetouch_status = "pending"
    challenge.onetouch_expires_at = now + ONETOUCH_SECONDS
    writes.save("audit push_sent", audit.event_for(context, user.email, "push_sent", "onetouch"))
    return None


LATE, DUPLICATE = "late", "duplicate"


def record_result(challenge, status, delivery=None, tell_watchers=True):
    """Store the push's final answer; the first final state wins.

    One write: the answer on the challenge, its audit event, after a Deny the account's
    pause (whoever's login it was, the owner said no), and the callback's ``delivery``
    record when there is one (a replay of it changes nothing). Returns None when stored,
    else LATE (the challenge had moved on) or DUPLICATE (this delivery was seen before).
    Once stored, the sockets watching the challenge hear its status, unless the caller
    tells them itself (``tell_watchers=False``).
    """
    now = clock.now()
    writes = storage.Transaction()
    actions, condition = result_terms(status, now)
    writes.update("challenge", LoginChallenge(token_hash=challenge.token_hash), actions, condition)
    result_writes(challenge, status, delivery, now, writes)
    refused = writes.commit()
    if refused:
        return refused_as(refused)
    challenge.onetouch_status = status
    if tell_watchers:
        watchers.notify(challenge, {"status": status_of(challenge, now)})
    return None


def result_terms(status, now):
    """The challenge's side of storing a push's answer: ``(actions, condition)``. The first
    final state wins, and only while the challenge and its push are live and unspent."""
    in_time = LoginChallenge.onetouch_expires_at > now
    if status == "expired":
        in_time = LoginChallenge.onetouch_expires_at.exists()
    condition = (
        LoginChallenge.token_hash.exists()
        & (LoginChallenge.onetouch_status == "pending")
        & (LoginChallenge.used == False)  # noqa: E712 - a DynamoDB condition, not a bool test
        & (LoginChallenge.expires_at > now)
        & in_time
    )
    return [LoginChallenge.onetouch_status.set(status)], condition


def result_writes(challenge, status, delivery, now, writes):
    """Add what a push's answer writes beside the challenge to ``writes``: its audit event,
    a Deny's pause of the account's pushes, and the callback's ``delivery`` record."""
    event = audit.event_for(challenge, challenge.email, f"push_{status}", "onetouch")
    writes.save("push audit", event)
    if status == "denied":
        writes.update(
            "account",
            User(email=challenge.email),
            [User.push_paused_until.set(now + PAUSE_AFTER_DENY)],
            User.email.exists(),
        )
    if delivery is not None:
        writes.save("delivery", delivery, type(delivery).nonce_key.does_not_exist())


def refused_as(refused):
    """Why a push's answer was not stored, from the names of the writes refused."""
    return DUPLICATE if "delivery" in refused else LATE


def settle(challenge):
    """Bring a pending push up to date: note its expiry, or ask the vendor if no callback came."""
    now = clock.now()
    if challenge.method != "onetouch" or challenge.onetouch_status != "pending":
        return
    if challenge.superseded:
        return
    if status_of(challenge, now) == "expired":
        record_result(challenge, "expired")
        return
    lost = lost_callbacks.lost(now)
    after, every = (
        (CHECK_VENDOR_AFTER_LOST, CHECK_VENDOR_EVERY_LOST)
        if lost
        else (CHECK_VENDOR_AFTER, CHECK_VENDOR_EVERY)
    )
    if now - challenge.created_at < after:
        return
    last = challenge.onetouch_checked_at
    if last is not None and now - last < every:
        return
    # Claim the check, so parallel pollers make one vendor call between them.
    if not update_if(
        challenge,
        [LoginChallenge.onetouch_checked_at.set(now)],
        LoginChallenge.onetouch_checked_at.does_not_exist()
        | (LoginChallenge.onetouch_checked_at <= now - every),
    ):
        return
    pushing = vendor()
    try:
        status, owner = pushing.push_status(challenge.onetouch_uuid)
    except VendorUnavailable:
        return
    if status in FINAL and owner == pushing.owner_of(Person.of(challenge)):
        settled_here = record_result(challenge, status) is None
        if settled_here and status != "expired":  # an answer no callback had brought
            lost_callbacks.seen(now)
