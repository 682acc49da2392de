""" "Forgot your password?": a single-use link by email to choose a new one.

Asking answers the same words, status and time whatever the email: only an account
whose address is proven gets the link (random, stored hashed, 30 minutes, valid only
for the password it was sent under). Both limits are counted for every email typed,
known or not, so they too answer alike; and the answer is held until ``ANSWER_SECONDS``
after the request came, so sending an email (or not) cannot be timed.

Choosing the new password does not log anyone in: the person then logs in with it and
the second factor, as always. It ends every session, forgets every remembered browser,
stops any login begun with the old password, is audited, and the owner is told by email.
"""

from time import monotonic, sleep

from chalicelib import (
    audit,
    clock,
    email_proof,
    links,
    mail,
    ratelimits,
    security,
    storage,
    validation,
)
from chalicelib.context import describe_browser
from chalicelib.errors import LinkInvalid, RateLimited
from chalicelib.models import User
from chalicelib.validation import Form

RESET_MINUTES = 30
RESET_SECONDS = RESET_MINUTES * 60
ANSWER_SECONDS = 1.0  # longer than a send takes, so every answer leaves at the same time
ANSWER = "If an account uses this email, we sent a link to it."
PAGE = "reset.html"
FORGOT = "forgot.html"


def read_forgot(data):
    form = Form(data)
    email = validation.email(form)
    form.check()
    return email


def forgot(email, context):
    """Email a reset link if ``email`` is a proven account's; the same answer either way."""
    started = monotonic()
    try:
        ratelimits.take_all(
            [
                (ratelimits.RESET_REQUESTS_PER_EMAIL, email),
                (ratelimits.RESET_REQUESTS_PER_NETWORK, context.network),
            ]
        )
        user = storage.get_or_none(User, email)
        if user is not None and user.state == "active":
            _send_link(user, context)
    finally:
        pace(started)
    return {"message": ANSWER}


def _send_link(user, context):
    if not email_proof.is_proven(user):
        audit.record_for(context, user.email, "password_reset_requested", "unproven")
        return
    try:  # the address's daily budget: silently, so the answer stays the same
        ratelimits.take(ratelimits.EMAILS_PER_ADDRESS, user.email)
    except RateLimited:
        audit.record_for(context, user.email, "password_reset_requested", "limit")
        return
    token = links.issue("reset", user, RESET_SECONDS, password_version=user.password_version or 0)
    if mail.send(user.email, mail.reset_mail(links.url(PAGE, "token", token), RESET_MINUTES)):
        audit.record_for(context, user.email, "password_reset_requested", "email")
    else:
        links.withdraw(token)


def pace(started, wait=None):
    """Hold the answer until ``ANSWER_SECONDS`` after ``started`` (a ``monotonic`` time)."""
    left = ANSWER_SECONDS - (monotonic() - started)
    if left > 0:
        (wait or sleep)(left)


def read_reset(data):
    form = Form(data)
    token = links.read_token(form)
    new = validation.password(form, "new_password")
    form.check()
    return token, new


def reset(token, new, context):
    """Spend a reset link: set the new password, end the sessions, tell the owner."""
    ratelimits.take(ratelimits.LINKS_PER_NETWORK, context.network)
    link = links.redeem("reset", token)
    transaction = storage.Transaction()
    links.spend(transaction, link)
    transaction.update(
        "account",
        User(email=link.email),
        security.new_password_actions(new),
        links.same_account(link)
        & (User.state == "active")
        & User.email_proven_at.exists()
        & _unchanged_since(link.password_version),
    )
    links.commit(
        transaction, LinkInvalid("This link no longer works: the password was changed since.")
    )
    security.after_new_password(link.email)
    audit.record_for(context, link.email, "password_reset")
    notice = mail.password_changed_mail(
        clock.now(), describe_browser(context.user_agent), context.ip, links.page_url(FORGOT)
    )
    mail.send(link.email, notice)


def _unchanged_since(version):
    if not version:
        return User.password_version.does_not_exist() | (User.password_version == 0)
    return User.password_version == version
