"""The account's security section: its ways in, and changes that need a fresh proof.

Every change (new recovery codes, a new password, remembering this browser, adding or
removing a factor) needs a second factor proven in the last ten minutes: the login's
own, or a step-up (the second step again, for this session). Forgetting a browser only
removes trust, so it needs none. A removal goes through the count of the account's
factors (``second_step.factors``): none may leave it without one.
"""

from chalicelib import audit, browsers, clock, phones, ratelimits, sessions, validation
from chalicelib.errors import InvalidCredentials, StepUpRequired
from chalicelib.models import User
from chalicelib.passwords import hash_password, verify_password
from chalicelib.second_step import authenticator, passkey, recovery
from chalicelib.validation import Form


def require_fresh(session):
    """Refuse unless this session proved a second factor in the last ten minutes."""
    if clock.now() - (session.proven_at or 0) > sessions.STEP_UP_SECONDS:
        raise StepUpRequired()


def overview(user, proven_at):
    """What the security section shows; ``proven_at`` is when the session last proved a
    second factor (its ``proven_at``)."""
    proven_until = (proven_at or 0) + sessions.STEP_UP_SECONDS
    return {
        "phone": {"number": phones.mask(user.phone, user.country_code), "texts_and_calls": True},
        "authenticator": authenticator.describe(user),
        # The counters on the user are never below what is stored (each is raised in the
        # write that stores one): an account with none costs no query.
        "passkeys": passkey.listed(user) if user.passkeys else [],
        "recovery_codes_left": recovery.left(user),
        "browsers": browsers.listed(user.email) if user.browsers else [],
        "proven_until": clock.iso(proven_until) if proven_until > clock.now() else None,
    }


def read_password_change(data):
    form = Form(data)
    current = validation.password(form, "current_password")
    new = validation.password(form, "new_password")
    form.check()
    return current, new


def change_password(user, session, current, new, context):
    """Set a new password: every other session ends and every remembered browser is forgotten."""
    require_fresh(session)
    failures = ratelimits.take_all(
        [
            (ratelimits.FAILED_PASSWORDS, f"{user.email}|{context.network}"),
            (ratelimits.FAILED_PASSWORDS_PER_EMAIL, user.email),
        ]
    )
    if not verify_password(user.password_hash, current):
        audit.record_for(context, user.email, "password_change_failed")
        raise InvalidCredentials(
            "The current password is not right.", fields={"current_password": "is not right"}
        )
    ratelimits.give_all_back(failures)
    set_password(user.email, new, keep_session=session.token_hash)
    audit.record_for(context, user.email, "password_changed")


def set_password(email, new, keep_session=None):
    """Store a new password hash; end the account's sessions (but one) and forget browsers."""
    User(email=email).update(actions=new_password_actions(new), condition=User.email.exists())
    after_new_password(email, keep_session)


def new_password_actions(new):
    """What a new password writes: its hash; a new version, so reset links sent before it
    stop working; and no live challenge, so no login begun with the old one can finish."""
    return [
        User.password_hash.set(hash_password(new)),
        User.password_version.add(1),
        User.live_challenge.remove(),
    ]


def after_new_password(email, keep_session=None):
    """End the account's sessions (but ``keep_session``) and forget its browsers."""
    sessions.end_all(email, keep=keep_session)
    browsers.forget_all(email)
