"""The phone's mailbox: the emails the API sent through SES on the stack's moto server.

The emulator does not receive mail; it reads what moto's SES took (``devstack/aws.py``
serves it) and shows it as a mail client would: who it is to, the subject, the text and
the links in it. Without ``--aws-url`` the mailbox is empty.
"""

import requests

from devstack import mailbox
from devstack.mailbox import SENT_PATH

TIMEOUT = (1, 5)


class MailboxUnavailable(RuntimeError):
    """moto's server did not answer with the sent mail."""


class SentMail:
    def __init__(self, aws_url, session=None):
        self.aws_url = aws_url.rstrip("/") if aws_url else None
        self.session = session or requests.Session()

    def emails(self, to=None):
        """Every email sent (to the address ``to``), oldest first."""
        if self.aws_url is None:
            return []
        try:
            response = self.session.get(self.aws_url + SENT_PATH, timeout=TIMEOUT)
            response.raise_for_status()
            sent = response.json()["messages"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            raise MailboxUnavailable(f"moto's sent mail at {self.aws_url}: {exc}") from None
        wanted = to.strip().lower() if to else None
        found = []
        for message in sent:
            email = mailbox.read(message["raw"], message["id"])
            if wanted is None or wanted in email["to"]:
                del email["html"]  # the text says the same; the page shows the text
                found.append(email)
        return found
