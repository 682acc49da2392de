"""Email through Amazon SES: the messages we send, in our words, and sending them.

Each message has a plain-text and an HTML body saying the same thing, from EMAIL_FROM
with APP_NAME as its name. They never carry what a signup typed (a stranger's "name"
would reach the owner of the address), only our words, the links and what we know.

It goes out as one MIME message through SES v2's ``SendEmail`` (IAM action
``ses:SendEmail``, the same as v1's). Raw rather than SES's "simple" content so the
local stack's mailbox (moto keeps a simple message's HTML only) reads both bodies, as a
mail client would. The client is made on first use, with short timeouts and no retry:
a send is not idempotent. ``send`` never raises: a failure is logged by its kind (never
the message, which holds a link) and answered False, so callers can undo what they
wrote for it.
"""

import functools
import html
import logging
from dataclasses import dataclass

from chalicelib import clock
from chalicelib.config import settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    """One message: its subject, and its body as paragraphs and links (``Link``)."""

    subject: str
    parts: tuple  # str (a paragraph) or Link

    @property
    def text(self):
        return "\n\n".join(
            f"{part.label}:\n{part.url}" if isinstance(part, Link) else part for part in self.parts
        )

    @property
    def html(self):
        body = "".join(
            f'<p><a href="{html.escape(part.url)}">{html.escape(part.label)}</a></p>'
            if isinstance(part, Link)
            else f"<p>{html.escape(part)}</p>"
            for part in self.parts
        )
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.subject)}</title></head><body>{body}</body></html>"
        )


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def proof_mail(prove_url, release_url, hours):
    """The signup's email: prove the address, or release it."""
    app = settings().app_name
    return Mail(
        f"Confirm your email for {app}",
        (
            f"Someone, probably you, created a {app} account with this email address.",
            Link("Confirm that this address is yours", prove_url),
            f"The link works once, for {hours} hours. Until the address is confirmed, we "
            "can't send it a link to reset a forgotten password.",
            "Not you? Then someone else typed your address. Release it, and the account "
            "that uses it is deleted at once:",
            Link("Release this address", release_url),
            f"If you do nothing, an address that no one confirms is released {hours} hours "
            "after the signup.",
            f"— {app}",
        ),
    )


def reset_mail(reset_url, minutes):
    """The link "Forgot your password?" sends."""
    app = settings().app_name
    return Mail(
        f"Reset your {app} password",
        (
            f"Someone asked to reset the password of your {app} account. If it was you, "
            "choose a new one:",
            Link("Choose a new password", reset_url),
            f"The link works once, for {minutes} minutes. After that you log in with the new "
            "password and your phone, as always.",
            "If it wasn't you, ignore this email: your password stays as it is.",
            f"— {app}",
        ),
    )


def password_changed_mail(when, browser, ip, forgot_url):
    """The owner's notice after a reset."""
    app = settings().app_name
    return Mail(
        f"Your {app} password was changed",
        (
            f"The password of your {app} account was reset with a link we emailed, on "
            f"{clock.at(when):%d %B %Y at %H:%M} UTC, from {browser} at {ip}.",
            "Every session was ended and every remembered browser forgotten. Logging in "
            "still needs your phone.",
            "If this wasn't you, reset the password again now and check your recent "
            "activity on your account page:",
            Link("Reset your password", forgot_url),
            f"— {app}",
        ),
    )


def send(to, mail):
    """Send ``mail`` to the address ``to``; False (and a log line) when SES would not."""
    from botocore.exceptions import BotoCoreError, ClientError

    sender = settings().email_from
    try:
        _client().send_email(
            FromEmailAddress=sender,
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": _mime(sender, to, mail)}},
        )
    except ClientError as exc:
        log.error("email not sent: SES answered %s", exc.response.get("Error", {}).get("Code"))
        return False
    except (BotoCoreError, ValueError) as exc:  # no connection, a timeout, a bad header
        log.error("email not sent: %s", type(exc).__name__)
        return False
    return True


def _mime(sender, to, mail):
    from email.message import EmailMessage  # the email package: for sending only
    from email.policy import SMTP
    from email.utils import formataddr, formatdate, make_msgid

    message = EmailMessage()
    message["From"] = formataddr((settings().app_name, sender))
    message["To"] = to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(clock.now(), usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message.as_bytes(policy=SMTP)


@functools.lru_cache(maxsize=1)
def _client():
    """SES v2, made on first use (botocore directly: PynamoDB brings it)."""
    import botocore.config
    import botocore.session

    return botocore.session.get_session().create_client(
        "sesv2",
        config=botocore.config.Config(
            connect_timeout=2, read_timeout=3, retries={"total_max_attempts": 1, "mode": "standard"}
        ),
    )
