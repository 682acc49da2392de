"""Proving the email: the signup's link, "Send the link again", "Release this address", and
the 24 hours after which an address no one proved is released by itself.

The signup's email holds two links (``links``): one proves the address, the other
releases it, deleting the unproven account at once, so a stranger who signed up with
someone's address holds it for a day at most and the owner can free it sooner. An
unproven account can still log in (signup proved its phone); it cannot get a reset link.

"By itself" without a scheduler: a user record carries ``unproven_until`` while
unproven. Whatever meets a record past it (a signup or a login for that email, the
account's own page) releases it first, and nothing can prove it any more. Every delete
is conditional on the account still being that unproven account, so a proven one is
never deleted. Releasing removes the vendor's registration too, ends the account's
sessions, forgets its browsers and deletes its passkeys; its activity stays, for the
address's owner to read. Passkeys and sessions are also bound to the account they were
made for, so one missed here still opens nothing on a later account with the address.
"""

import logging

from chalicelib import audit, browsers, clock, links, mail, ratelimits, sessions, storage
from chalicelib.errors import (
    AppError,
    EmailAlreadyProven,
    EmailUnavailable,
    LinkInvalid,
    RateLimited,
)
from chalicelib.models import User
from chalicelib.second_step import passkey
from chalicelib.validation import Form
from chalicelib.vendors import Person, vendor

log = logging.getLogger(__name__)

PROOF_HOURS = 24
PROOF_SECONDS = PROOF_HOURS * 3600
PAGE = "email.html"


def unproven_until(now):
    """When a new account's address is released if no one proves it."""
    return now + PROOF_SECONDS


def is_proven(user):
    return user.email_proven_at is not None


def past_its_day(user):
    """True for an unproven account whose 24 hours are over (it is released, or due to be)."""
    return (
        not is_proven(user)
        and user.unproven_until is not None
        and clock.now() >= user.unproven_until
    )


def send_links(user, context, why):
    """Email the account's address a link to prove it and one to release it.

    Both are stored first (a click must find them) and withdrawn if SES will not send;
    returns whether the email went. ``why`` (``signup`` or ``resend``) is audited.
    """
    seconds = PROOF_SECONDS
    if user.unproven_until is not None:  # a resend cannot outlive the account's day
        seconds = min(seconds, user.unproven_until - clock.now())
    prove = links.issue("proof", user, seconds)
    release = links.issue("release", user, seconds)
    message = mail.proof_mail(
        links.url(PAGE, "token", prove), links.url(PAGE, "release", release), PROOF_HOURS
    )
    if not mail.send(user.email, message):
        links.withdraw(prove, release)
        return False
    audit.record_for(context, user.email, "email_link_sent", why)
    return True


def after_signup(user, context):
    """The signup's email. If the address's daily budget is spent or SES fails, the
    account stands as it is, and its page offers "Send the link again"."""
    try:
        ratelimits.take(ratelimits.EMAILS_PER_ADDRESS, user.email)
    except RateLimited:
        return False
    return send_links(user, context, "signup")


def resend(user, context):
    """ "Send the link again", from the account page."""
    if is_proven(user):
        raise EmailAlreadyProven()
    ratelimits.take_all(
        [
            (ratelimits.EMAIL_LINKS_PER_ACCOUNT, user.email),
            (ratelimits.EMAILS_PER_ADDRESS, user.email),
        ]
    )
    if not send_links(user, context, "resend"):
        raise EmailUnavailable()


def read_link(data, name="token"):
    form = Form(data)
    token = links.read_token(form, name)
    form.check()
    return token


def prove(token, context):
    """Spend a proof link: the account's address is proven from now on."""
    ratelimits.take(ratelimits.LINKS_PER_NETWORK, context.network)
    link = links.redeem("proof", token)
    now = clock.now()
    transaction = storage.Transaction()
    links.spend(transaction, link)
    transaction.update(
        "account",
        User(email=link.email),
        [User.email_proven_at.set(now), User.unproven_until.remove()],
        links.same_account(link)
        & (User.state == "active")
        & User.email_proven_at.does_not_exist()
        & (User.unproven_until.does_not_exist() | (User.unproven_until > now)),
    )
    links.commit(
        transaction,
        LinkInvalid("This link no longer works: the address is confirmed, or was released."),
    )
    audit.record_for(context, link.email, "email_proven")
    return {"email": link.email, "email_proven": True}


def release(token, context):
    """Spend a release link: the unproven account that uses the address is deleted."""
    ratelimits.take(ratelimits.LINKS_PER_NETWORK, context.network)
    link = links.redeem("release", token)
    user = storage.get_or_none(User, link.email)  # who the vendor knows, for unenroll
    released = LinkInvalid("This address is confirmed by its owner, or already released.")
    if user is None:
        raise released
    transaction = storage.Transaction()
    links.spend(transaction, link)
    transaction.delete("account", User(email=link.email), _unproven(link))
    links.commit(transaction, released)
    _forget(user, context, "link")
    return {"email": link.email, "released": True}


def release_if_past_its_day(user, context):
    """Release ``user`` if its 24 hours ran out unproven; True when they have (whoever
    deleted the record: this call, or a request just before it)."""
    if not past_its_day(user):
        return False
    condition = (
        (User.created_at == user.created_at)
        & User.email_proven_at.does_not_exist()
        & (User.unproven_until <= clock.now())
    )
    if storage.write_if(User(email=user.email).delete, condition=condition):
        _forget(user, context, "expired")
    return True


def _unproven(link):
    return links.same_account(link) & User.email_proven_at.does_not_exist()


def _forget(user, context, how):
    """What goes with a released account besides its record: the vendor's registration,
    its sessions, remembered browsers and passkeys. Its activity stays, with this release in it."""
    try:
        vendor().unenroll(Person.of(user))
    except AppError as exc:  # the record is gone; a stale registration lets no one in
        log.error("vendor registration not removed: %s", exc.code)
    sessions.end_all(user.email)
    browsers.forget_all(user.email)
    passkey.forget_all(user.email)
    audit.record_for(context, user.email, "address_released", how)
