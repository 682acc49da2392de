"""The local stack's mailbox: the emails the API sent through SES on the moto server, read
as a mail client would (the plain-text and HTML bodies, the links in them).

``sent(backends)`` takes moto's SES backends (``moto.ses.models.ses_backends``, in the
process that runs moto: ``devstack.aws`` for the stack, the unit tests' own ``mock_aws``)
and returns every raw message sent, oldest first; ``read(raw)`` turns one into
``{id, from, to, subject, at, text, html, links}``.
"""

import email
import email.policy
import email.utils
import re
from html.parser import HTMLParser

LINK = re.compile(r"https?://[^\s<>\"']+")
SENT_PATH = "/_devstack/ses/sent"  # where devstack/aws.py answers ``sent``


def sent(backends):
    """``[{id, source, destinations, raw}]`` of every raw email in moto's SES backends."""
    found = []
    for regions in list(backends.values()):
        for backend in list(regions.values()):
            for message in list(backend.sent_messages):
                raw = getattr(message, "raw_data", None)
                if raw is not None:
                    found.append(
                        {
                            "id": message.id,
                            "source": message.source,
                            "destinations": list(message.destinations),
                            "raw": raw,
                        }
                    )
    return found


def read(raw, message_id=None):
    """One raw email as the mailbox shows it."""
    message = email.message_from_string(raw, policy=email.policy.default)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    text = text.get_content() if text is not None else ""
    date = message["Date"]
    return {
        "id": message_id or str(message["Message-ID"] or ""),
        "from": str(message["From"] or ""),
        "to": [address for _, address in email.utils.getaddresses([str(message["To"] or "")])],
        "subject": str(message["Subject"] or ""),
        "at": email.utils.parsedate_to_datetime(date).timestamp() if date else None,
        "text": text,
        "html": html.get_content() if html is not None else "",
        "links": list(dict.fromkeys(LINK.findall(text))),
    }


def html_links(html):
    """The ``href`` of every ``<a>`` in an HTML body, in order."""
    parser = _Anchors()
    parser.feed(html)
    return parser.hrefs


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href"]
