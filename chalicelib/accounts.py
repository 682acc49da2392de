"""Accounts: signup (claim the email, enroll with the vendor), password check, account view."""

import logging

from chalicelib import (
    audit,
    clock,
    email_proof,
    phones,
    ratelimits,
    security,
    storage,
    tokens,
    validation,
)
from chalicelib.errors import (
    EmailTaken,
    InvalidCredentials,
    SessionInvalid,
    VendorRejected,
    VendorUnavailable,
)
from chalicelib.models import User
from chalicelib.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from chalicelib.validation import Form
from chalicelib.vendors import vendor

log = logging.getLogger(__name__)

CLAIM_SECONDS = 60  # a signup that died mid-way frees its email after this


def read_signup(data):
    """Check a signup body; return ``(name, email, password, phone)`` or raise InvalidInput."""
    form = Form(data)
    name = form.text("name", max_len=100)
    email = validation.email(form)
    password = validation.password(form)
    country_code = validation.country_code(form)
    phone = phones.parse_phone(form, country_code)
    form.check()
    return name, email, password, phone


def read_credentials(data):
    """``(email, password, browser)``: ``browser`` is a remembered browser's token, or None."""
    form = Form(data)
    email = validation.email(form)
    password = validation.password(form)
    browser = form.optional_text("browser", max_len=256)
    form.check()
    return email, password, browser


def sign_up(name, email, password, phone, context):
    """Create the user, enroll them with the vendor and email the address its links;
    nothing is left behind on failure.

    An unproven account whose 24 hours are over is released first (email_proof), so its
    address is free again; an email of a live account, proven or not, is taken.
    """
    ratelimits.take(ratelimits.SIGNUPS_PER_NETWORK, context.network)
    existing = storage.get_or_none(User, email)
    if existing is not None:
        email_proof.release_if_past_its_day(existing, context)
    user = _claim_email(name, email, hash_password(password), phone)
    try:
        enrolled = vendor().enroll(email, phone.e164)
    except (VendorRejected, VendorUnavailable):
        _release_claim(user)
        raise
    if not storage.write_if(
        user.update,
        actions=[
            *(getattr(User, name).set(value) for name, value in enrolled.items()),
            User.state.set("active"),
            User.claimed_until.remove(),
        ],
        condition=(User.state == "claiming") & (User.password_hash == user.password_hash),
    ):
        raise EmailTaken()  # our claim went stale and someone else took it
    audit.record_for(context, email, "signup")
    email_proof.after_signup(user, context)
    return user


def _claim_email(name, email, password_hash, phone):
    now = clock.now()
    user = User(
        email=email,
        user_id=tokens.new_user_id(),
        state="claiming",
        claimed_until=now + CLAIM_SECONDS,
        name=name,
        password_hash=password_hash,
        country_code=phone.country_code,
        phone=phone.e164,
        phone_verified=False,
        created_at=now,
        unproven_until=email_proof.unproven_until(now),
    )
    stale_claim = (User.state == "claiming") & (User.claimed_until < now)
    # An unproven account past its day is free, like a stale claim (released just before,
    # unless a parallel signup did it).
    unproven_past = User.email_proven_at.does_not_exist() & (User.unproven_until <= now)
    free = User.email.does_not_exist() | stale_claim | unproven_past
    if not storage.write_if(user.save, condition=free):
        raise EmailTaken()
    return user


def _release_claim(user):
    try:
        user.delete(
            condition=(User.state == "claiming") & (User.password_hash == user.password_hash)
        )
    except Exception:  # the claim expires by itself; never hide the Authy error behind this
        log.exception("could not release the signup claim")


def authenticate(email, password, context):
    """``(user, failures)``: the active user with this email and password, or
    InvalidCredentials; ``failures`` are the failure counters to give back with the
    login's own write (``ratelimits.give_back_in``), since this password was right.

    A locked account is still returned: its second step takes only a recovery code.

    An unknown email is checked against a dummy hash, so it costs the same time as a
    wrong password and gets the same answer. Failures are counted (known email or not)
    before the check, per (email, network) and per email across networks, with the
    network's login count, in one write; once a limit is reached even the right password
    is refused from there until its window ends.
    """
    network_login, *failures = ratelimits.take_together(
        [
            (ratelimits.LOGINS_PER_NETWORK, context.network),
            (ratelimits.FAILED_PASSWORDS, f"{email}|{context.network}"),
            (ratelimits.FAILED_PASSWORDS_PER_EMAIL, email),
        ]
    )
    user = storage.get_or_none(User, email)
    if user is None or user.state != "active" or email_proof.release_if_past_its_day(user, context):
        verify_password(dummy_hash(), password)
        # The same write as a known email's failure, so neither answers faster (the
        # activity of an account made later shows nothing from before it: ``activity``).
        audit.record_for(context, email, "login_failed", "password")
        raise InvalidCredentials()
    if not verify_password(user.password_hash, password):
        audit.record_for(context, email, "login_failed", "password")
        raise InvalidCredentials()
    if needs_rehash(user.password_hash):
        user.update(actions=[User.password_hash.set(hash_password(password))])
    return user, failures


def user_of(session, context, releasing=True):
    """The account a live session belongs to; SessionInvalid once it is gone (released).

    A session older than the account was made for an earlier account with this email
    (released, then signed up again): releasing ends sessions, and this holds if one
    was missed. An account whose unproven day is over is released here, unless not
    ``releasing`` (then it is only refused: a vendor's callback must not do the work)."""
    user = storage.get_or_none(User, session.email)
    if user is None or session.created_at < user.created_at:
        raise SessionInvalid()
    if not releasing and email_proof.past_its_day(user):
        raise SessionInvalid()
    if email_proof.release_if_past_its_day(user, context):
        raise SessionInvalid()
    return user


def account_view(user):
    """What the account page shows of the account itself."""
    return {
        "name": user.name,
        "email": user.email,
        "phone": phones.mask(user.phone, user.country_code),
        "phone_verified": bool(user.phone_verified),
        "email_proven": email_proof.is_proven(user),
        "email_unproven_until": clock.iso(user.unproven_until),  # gone once proven
        "member_since": clock.iso(user.created_at),
        "last_login": {"at": clock.iso(user.last_login_at), "method": user.last_login_method},
    }


def page(session, context, releasing=True):
    """The whole account page in one answer: the account, its security and its activity."""
    user = user_of(session, context, releasing)
    return {
        **account_view(user),
        "security": security.overview(user, session.proven_at),
        **activity(user),
    }


def activity(user):
    """The account's recent activity, newest first, from its creation on."""
    return {"events": audit.latest(user.email, since=user.created_at)}
