"""Passkeys: added on the account page, then a login by themselves or a second step.

A passkey is a key pair its authenticator (a phone, a laptop, a security key) made for
this site alone; we keep the public key. Its answer proves the device (something you
have) and, since user verification is required, its PIN or biometric (something you
are or know): so a passkey logs in without a password, and answers a login's second step
too. An account keeps at most ten, counted on the user (``User.passkeys``) by the same
transaction that stores one. The WebAuthn side is ``relying_party``'s, the challenges
``ceremony``'s; sessions come from ``challenge``, as for every way in.
"""

import re

from chalicelib import audit, clock, ratelimits, requestlog, storage, tokens, validation
from chalicelib.context import describe_browser
from chalicelib.errors import (
    InvalidInput,
    NotFound,
    PasskeyRefused,
    PasskeyTaken,
    SecurityChanged,
    TooManyPasskeys,
)
from chalicelib.models import Passkey, User
from chalicelib.second_step import ceremony, factors, relying_party
from chalicelib.second_step.challenge import complete, open_session
from chalicelib.second_step.relying_party import NotVerified
from chalicelib.validation import Form

MAX_PASSKEYS = 10
MAX_NAME = 64
METHOD = "passkey"
_PASSKEY_ID = re.compile(r"[0-9a-f]{16}")  # tokens.new_id()


def read_answer(data):
    """``(ceremony, credential)`` from a passkey's answer to a ceremony."""
    form = Form(data)
    token = form.text("ceremony", max_len=ceremony.MAX_TOKEN)
    credential = validation.passkey_credential(form)
    form.check()
    return token, credential


def read_new(data):
    """``(ceremony, credential, name)``: a new passkey; ``name`` is None when left out."""
    form = Form(data)
    token = form.text("ceremony", max_len=ceremony.MAX_TOKEN)
    credential = validation.passkey_credential(form)
    name = form.optional_text("name", max_len=MAX_NAME)
    form.check()
    return token, credential, name


def read_id(passkey_id):
    """A passkey's public id from a URL, or InvalidInput naming ``passkey_id``."""
    if not isinstance(passkey_id, str) or not _PASSKEY_ID.fullmatch(passkey_id):
        raise InvalidInput(fields={"passkey_id": "is not a passkey's id"})
    return passkey_id


def asked_first(user):
    """True when the second step offers the passkey before anything else."""
    return (user.passkeys or 0) > 0


def listed(user):
    """The account's passkeys, most recently made first (one query)."""
    keys = sorted(_keys_of(user), key=lambda k: k.created_at, reverse=True)
    return [_view(key) for key in keys]


def _keys_of(user):
    """The account's passkeys; never one an earlier account with the email left behind."""
    handle = ceremony.b64url(user.user_id.encode("ascii")) if user.user_id else None
    return [k for k in Passkey.account_index.query(user.email) if k.user_handle == handle]


# --- adding one -------------------------------------------------------------------------


def registration_options(user, context):
    """Begin adding a passkey: the options for the browser, and the name it will get."""
    if (user.passkeys or 0) >= MAX_PASSKEYS:
        raise TooManyPasskeys()
    token, challenge = ceremony.begin("register", email=user.email)
    options = relying_party.registration_options(
        challenge,
        user_handle=_user_handle(user).encode("ascii"),
        user_name=user.email,
        display_name=user.name,
        exclude=[key.credential_id for key in Passkey.account_index.query(user.email)],
    )
    return {
        "ceremony": token,
        "options": options,
        "default_name": describe_browser(context.user_agent),
        "expires_in": ceremony.CEREMONY_SECONDS,
    }


def add(user, ceremony_token, credential, name, context):
    """Keep the passkey the browser made for the ceremony; how it is listed."""
    challenge = ceremony.take(ceremony_token, "register", email=user.email)
    try:
        made = relying_party.verify_registration(credential, challenge)
    except NotVerified:
        raise InvalidInput(fields={"credential": "could not be verified for this site"}) from None
    now = clock.now()
    user_id = _user_handle(user)
    key = Passkey(
        credential_id=made.credential_id,
        passkey_id=tokens.new_id(),
        email=user.email,
        user_handle=ceremony.b64url(user_id.encode("ascii")),
        public_key=made.public_key,
        sign_count=made.sign_count,
        name=name or describe_browser(context.user_agent),
        transports=made.transports or None,
        created_at=now,
    )
    transaction = storage.Transaction()
    transaction.update(
        "account",
        User(email=user.email),
        [User.passkeys.add(1)],
        (User.user_id == user_id)  # the account that began it, not a later one
        & (User.passkeys.does_not_exist() | (User.passkeys < MAX_PASSKEYS)),
    )
    transaction.save("passkey", key, Passkey.credential_id.does_not_exist())
    failed = transaction.commit()
    if "passkey" in failed:
        raise PasskeyTaken()
    if failed:
        raise TooManyPasskeys()
    audit.record_for(context, user.email, "passkey_added")
    return {"passkey": _view(key)}


def _user_handle(user):
    """The user's opaque id (``User.user_id``), set once for an account made without one."""
    if user.user_id:
        return user.user_id
    storage.write_if(
        User(email=user.email).update,
        actions=[User.user_id.set(tokens.new_user_id())],
        condition=User.email.exists() & User.user_id.does_not_exist(),
    )
    return User.get(user.email, consistent_read=True).user_id


# --- removing one -----------------------------------------------------------------------


def remove(user, passkey_id, context):
    """Remove one of the account's passkeys, unless it is the account's last factor."""
    key = next((k for k in _keys_of(user) if k.passkey_id == passkey_id), None)
    if key is None:
        raise NotFound("There is no such passkey.")
    factors.require_another(user)
    transaction = storage.Transaction()
    transaction.delete(
        "passkey",
        Passkey(credential_id=key.credential_id),
        Passkey.credential_id.exists() & (Passkey.email == user.email),
    )
    transaction.update(
        "account",
        User(email=user.email),
        [User.passkeys.add(-1)],
        (User.passkeys > 0) & factors.unchanged(user),
    )
    failed = transaction.commit()
    if "passkey" in failed:
        raise NotFound("There is no such passkey.")
    if failed:
        raise SecurityChanged()
    audit.record_for(context, user.email, "passkey_removed")


def forget_all(email):
    """Delete every passkey of the account (its address was released); how many."""
    keys = list(Passkey.account_index.query(email))
    for key in keys:
        Passkey(credential_id=key.credential_id).delete()
    return len(keys)


# --- logging in with one ----------------------------------------------------------------


def login_options(context, challenge=None):
    """Begin a login with a passkey: by itself (any of ours the browser has), or as the
    second step of ``challenge`` (one of that account's)."""
    ratelimits.take(ratelimits.LOGINS_PER_NETWORK, context.network)
    if challenge is None:
        token, raw = ceremony.begin("login")
        allow = ()
    else:
        allow = [
            (k.credential_id, k.transports) for k in Passkey.account_index.query(challenge.email)
        ]
        if not allow:
            raise NotFound("This account has no passkey.")
        token, raw = ceremony.begin(
            "login", email=challenge.email, login_challenge=challenge.token_hash
        )
    return {
        "ceremony": token,
        "options": relying_party.authentication_options(raw, allow),
        "expires_in": ceremony.CEREMONY_SECONDS,
    }


def log_in(ceremony_token, credential, context):
    """A session for a passkey's answer alone: it is both factors (a locked account
    gets none: ``open_session`` refuses it)."""
    raw = ceremony.take(ceremony_token, "login")
    assertion = relying_party.read_assertion(credential)
    key = _key_of(assertion)
    if assertion.user_handle is None:  # a discoverable passkey always names its user
        raise _refused(key.email, context)
    _check(key, assertion, raw, context)
    return open_session(
        key.email, METHOD, context, account_condition=_same_account(key), refusal=PasskeyRefused()
    )


def answer(challenge, ceremony_token, credential, context):
    """The session (or the step-up's proof) for a passkey of the challenge's account."""
    raw = ceremony.take(
        ceremony_token, "login", email=challenge.email, login_challenge=challenge.token_hash
    )
    assertion = relying_party.read_assertion(credential)
    key = _key_of(assertion)
    if key.email != challenge.email:  # someone else's passkey proves nothing here
        raise _refused(challenge.email, context)
    _check(key, assertion, raw, context)
    return complete(
        challenge, METHOD, account_condition=_same_account(key), account_refusal=PasskeyRefused()
    )


def _same_account(key):
    """The account the passkey was made for, not a later one with its email (a released
    address can be signed up again): that account's ``user_id`` is the user handle."""
    return User.user_id == ceremony.unb64url(key.user_handle).decode("ascii")


def _key_of(assertion):
    key = storage.get_or_none(Passkey, assertion.credential_id)
    if key is None:
        requestlog.note(outcome="passkey_unknown")
        raise PasskeyRefused("This passkey isn't known here. It may have been removed.")
    return key


def _check(key, assertion, raw, context):
    """Verify the answer against the stored key, then move its counter forward, once.

    The counter moves by a conditional write from the value the answer was checked
    against, so two answers carrying the same counter cannot both pass.
    """
    if assertion.user_handle not in (None, key.user_handle):
        raise _refused(key.email, context)
    try:
        count = relying_party.verify_assertion(
            assertion, raw, public_key=key.public_key, sign_count=key.sign_count
        )
    except NotVerified:
        raise _refused(key.email, context) from None
    if not storage.write_if(
        key.update,
        actions=[Passkey.sign_count.set(count), Passkey.last_used_at.set(clock.now())],
        condition=Passkey.credential_id.exists() & (Passkey.sign_count == key.sign_count),
    ):
        raise _refused(key.email, context)


def _refused(email, context):
    audit.record_for(context, email, "passkey_refused")
    requestlog.note(outcome="passkey_refused")
    return PasskeyRefused()


def _view(key):
    return {
        "id": key.passkey_id,
        "name": key.name,
        "created_at": clock.iso(key.created_at),
        "last_used_at": clock.iso(key.last_used_at),
    }
