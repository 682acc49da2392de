"""PynamoDB models: one table each, names prefixed by stage.

Times are epoch seconds in NumberAttributes so conditions can compare them; the one
TTLAttribute per model lets DynamoDB delete late, but every read checks expiry itself.
Table names and the endpoint are read when the classes are created, so the
environment must be set before this module is imported.
"""

import os

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.config import table_prefix

_HOST = os.environ.get("DYNAMODB_HOST") or None
_REGION = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class TableMeta:
    host = _HOST
    region = _REGION
    billing_mode = PAY_PER_REQUEST_BILLING_MODE
    connect_timeout_seconds = 2
    read_timeout_seconds = 3
    max_retry_attempts = 2


class User(Model):
    """A person who can log in; the email (lower case) is the key, so it is unique."""

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-users"

    email = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(null=True)  # opaque and random: Verify's identity, never shown
    state = UnicodeAttribute()  # "claiming" while signup talks to the vendor, then "active"
    claimed_until = NumberAttribute(null=True)
    name = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    country_code = NumberAttribute()
    phone = UnicodeAttribute()  # E.164
    authy_id = NumberAttribute(null=True)  # with Authy: its id for the user
    app_factor = UnicodeAttribute(null=True)  # with Verify: the user's verified TOTP factor
    app_factor_added_at = NumberAttribute(null=True)
    app_factor_pending = UnicodeAttribute(null=True)  # one being added, until its first code
    # Recovery codes, only as digests (recovery.digest): digest -> when it was made. One is
    # spent by removing its key under the condition that it exists, so each works once.
    recovery_codes = MapAttribute(null=True)
    browsers = NumberAttribute(default=0)  # remembered browsers, at most MAX_BROWSERS
    passkeys = NumberAttribute(default=0)  # the account's passkeys, at most MAX_PASSKEYS
    phone_verified = BooleanAttribute(default=False)
    created_at = NumberAttribute()
    last_login_at = NumberAttribute(null=True)
    last_login_method = UnicodeAttribute(null=True)
    # Wrong codes in a row across challenges, each counted before the vendor is asked; at
    # MAX_FAILED_CODES the account is locked until an operator (or a recovery code) resets it.
    failed_codes = NumberAttribute(default=0)
    locked_at = NumberAttribute(null=True)  # when the count reached the limit
    live_challenge = UnicodeAttribute(null=True)  # the one challenge that may become a session
    push_paused_until = NumberAttribute(null=True)  # after a Deny: codes only for a while
    # The email: proven by a link we sent it (email_proof). Until then unproven_until says
    # when the address is released (24 hours after signup); proving removes it. Accounts
    # older than proofs have neither: unproven, and never released by time.
    email_proven_at = NumberAttribute(null=True)
    unproven_until = NumberAttribute(null=True)
    # One more with each new password (None: never changed), so a reset link works only
    # for the password it was sent under.
    password_version = NumberAttribute(null=True)


class OneTouchIndex(GlobalSecondaryIndex):
    """Finds a challenge, whole, from the push request id a vendor's callback names.

    The whole item is projected, so a callback reads it in one query; the index is
    eventually consistent, which is safe: every change it leads to is a conditional write
    on the challenge itself.
    """

    class Meta:
        index_name = "push-request"
        projection = AllProjection()

    onetouch_uuid = UnicodeAttribute(hash_key=True)


class LoginChallenge(Model):
    """One attempt to prove the phone, after a password (login) or at signup."""

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-challenges"

    token_hash = UnicodeAttribute(hash_key=True)
    challenge_id = UnicodeAttribute()  # not secret: logs, hidden_details
    purpose = UnicodeAttribute()  # "login" | "signup" | "step_up" (of a live session)
    email = UnicodeAttribute()
    # Who the vendor is asked about (vendors.Person), copied so no check reads the user.
    authy_id = NumberAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    app_factor = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)  # E.164: what the per-number send budget counts
    # "onetouch" | "sms" | "app" (authenticator first) | "passkey" (offered first, nothing
    # sent) | "recovery"
    method = UnicodeAttribute()
    onetouch_uuid = UnicodeAttribute(null=True)
    onetouch_status = UnicodeAttribute(null=True)  # pending | approved | denied | expired
    onetouch_expires_at = NumberAttribute(null=True)
    onetouch_checked_at = NumberAttribute(null=True)
    code_attempts = NumberAttribute(default=0)
    sends = NumberAttribute(default=0)
    last_send_at = NumberAttribute(null=True)
    request_code = UnicodeAttribute()
    session_hash = UnicodeAttribute(null=True)  # a step-up proves this session again
    # A login's or signup's: the hash of the session it opens (tokens.session_token_for).
    opens_session = UnicodeAttribute(null=True)
    fallback_reason = UnicodeAttribute(null=True)  # why a code and not a push
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    used = BooleanAttribute(default=False)
    superseded = BooleanAttribute(default=False)  # a newer challenge of the account started
    # The WebSocket connections waiting to hear how it ends (at most MAX_WATCHERS): kept on
    # the challenge, so telling them needs no read and a closed socket no write.
    watchers = ListAttribute(of=UnicodeAttribute, default=list)
    ttl = TTLAttribute()
    onetouch_index = OneTouchIndex()


class SessionsOfAccount(GlobalSecondaryIndex):
    """Finds an account's sessions, to end them all (a new password, say)."""

    class Meta:
        index_name = "sessions-of-account"
        projection = KeysOnlyProjection()

    email = UnicodeAttribute(hash_key=True)


class Session(Model):
    """A logged-in browser, known only by the SHA-256 of its bearer token."""

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-sessions"

    token_hash = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    created_at = NumberAttribute()
    expires_at = NumberAttribute()  # absolute end of life
    last_seen_at = NumberAttribute()  # idle timeout counts from here
    proven_at = NumberAttribute(null=True)  # the last second factor proven (step-up)
    ttl = TTLAttribute()
    account_index = SessionsOfAccount()


class BrowsersOfAccount(GlobalSecondaryIndex):
    """An account's remembered browsers, whole: listing them is one query."""

    class Meta:
        index_name = "browsers-of-account"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class RememberedBrowser(Model):
    """A browser that may skip the second step for 30 days, known by its token's SHA-256."""

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-browsers"

    token_hash = UnicodeAttribute(hash_key=True)
    browser_id = UnicodeAttribute()  # not secret: names it on the account page
    email = UnicodeAttribute()
    description = UnicodeAttribute()  # "Chrome on Linux"
    ip = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    last_used_at = NumberAttribute()
    expires_at = NumberAttribute()
    ttl = TTLAttribute()
    account_index = BrowsersOfAccount()


class EmailLink(Model):
    """A link we emailed, known only by its token's SHA-256; spent by deleting it.

    ``kind`` says what it does: ``proof`` and ``release`` (the signup's email) or
    ``reset`` (a forgotten password). It names the account it was sent for by that
    account's ``user_id`` and ``created_at``, so it never acts on a later account that
    took the same email.
    """

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-email-links"

    token_hash = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    email = UnicodeAttribute()
    user_id = UnicodeAttribute(null=True)
    account_created_at = NumberAttribute()
    password_version = NumberAttribute(null=True)  # reset: the version it was sent under
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    ttl = TTLAttribute()


class PasskeysOfAccount(GlobalSecondaryIndex):
    """An account's passkeys, whole: listing them is one query."""

    class Meta:
        index_name = "passkeys-of-account"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class Passkey(Model):
    """A passkey (a WebAuthn credential) of an account, known by its credential id."""

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-passkeys"

    credential_id = UnicodeAttribute(hash_key=True)  # base64url, as the browser names it
    passkey_id = UnicodeAttribute()  # short and public: names it on the account page
    email = UnicodeAttribute()
    user_handle = UnicodeAttribute()  # base64url of User.user_id: never the email
    public_key = UnicodeAttribute()  # the COSE key, base64url
    sign_count = NumberAttribute(default=0)  # the authenticator's counter: never goes back
    name = UnicodeAttribute()  # "Chrome on Linux", or what its owner called it
    transports = ListAttribute(of=UnicodeAttribute, null=True)  # hints for the browser
    created_at = NumberAttribute()
    last_used_at = NumberAttribute(null=True)
    account_index = PasskeysOfAccount()


class PasskeyCeremony(Model):
    """A WebAuthn challenge given to a browser: five minutes, single use.

    Known by the SHA-256 of the ceremony token the browser holds; spent by a conditional
    delete before its answer is checked.
    """

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-passkey-ceremonies"

    token_hash = UnicodeAttribute(hash_key=True)
    challenge = UnicodeAttribute()  # the random bytes the passkey signs, base64url
    kind = UnicodeAttribute()  # "register" | "login"
    email = UnicodeAttribute(null=True)  # whose: a registration, or a login challenge's
    login_challenge = UnicodeAttribute(null=True)  # the LoginChallenge (token_hash) it answers
    expires_at = NumberAttribute()
    ttl = TTLAttribute()


class CallbackNonce(Model):
    """An authentic Authy callback already handled (nonce and signature), to drop replays."""

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-callback-nonces"

    nonce_key = UnicodeAttribute(hash_key=True)
    ttl = TTLAttribute()


class RateCounter(Model):
    """A fixed-window counter, changed only by atomic ADDs; the key hashes who is counted."""

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-rate-limits"

    key = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)
    ttl = TTLAttribute()


class AuditEvent(Model):
    """Something that happened to an account, newest last; kept 90 days."""

    class Meta(TableMeta):
        table_name = f"{table_prefix()}-audit"

    email = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)  # "<epoch ms, zero-padded>#<random>"
    kind = UnicodeAttribute()
    method = UnicodeAttribute(null=True)
    at = NumberAttribute()
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    ttl = TTLAttribute()


MODELS = (
    User,
    LoginChallenge,
    Session,
    CallbackNonce,
    RateCounter,
    AuditEvent,
    RememberedBrowser,
    EmailLink,
    Passkey,
    PasskeyCeremony,
)


def create_tables():
    """Create every table that is missing (on demand billing, TTL on); return the new ones."""
    created = []
    for model in MODELS:
        if not model.exists():
            model.create_table(wait=True, billing_mode=PAY_PER_REQUEST_BILLING_MODE)
            created.append(model.Meta.table_name)
    return created
