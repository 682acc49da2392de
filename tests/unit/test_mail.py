"""chalicelib.mail: what our emails say and how they leave (SES on moto, in process)."""

import logging

import pytest

from chalicelib import mail
from chalicelib.models import EmailLink
from devstack import mailbox as reading
from tests.unit.conftest import SIGNUP, UNIT_ENV

ADA = SIGNUP["email"].lower()
SITE = UNIT_ENV["SITE_ORIGIN"]


def test_the_signup_email_proves_or_releases_the_address(api, mailbox):
    api.post("/signup", {**SIGNUP, "name": "Call +1 900 555 0100 to win"})

    (sent,) = mailbox.emails(ADA)
    assert sent["from"] == f"Unit Login <{UNIT_ENV['EMAIL_FROM']}>"
    assert sent["to"] == [ADA]
    assert sent["subject"] == "Confirm your email for Unit Login"
    prove, release = sent["links"]
    assert prove.startswith(f"{SITE}/email.html#token=")
    assert release.startswith(f"{SITE}/email.html#release=")
    assert "Release this address" in sent["text"] and "24 hours" in sent["text"]
    assert reading.html_links(sent["html"]) == sent["links"]  # both bodies, the same links
    assert "Release this address" in sent["html"]
    assert "900 555" not in sent["text"] + sent["html"], "a stranger's words never go out"


def test_the_tokens_are_stored_only_as_their_hash(api, mailbox):
    api.post("/signup", SIGNUP)
    tokens = [link.split("=", 1)[1] for link in mailbox.latest(ADA)["links"]]
    stored = {link.token_hash: link for link in EmailLink.scan()}
    assert {stored_link.kind for stored_link in stored.values()} == {"proof", "release"}
    from chalicelib.tokens import hash_token

    assert set(stored) == {hash_token(token) for token in tokens}
    assert not set(tokens) & set(stored)


def test_markup_in_a_message_is_text(mailbox, aws):
    mailbox  # noqa: B018 - the sender's identity
    message = mail.Mail(
        "<b>Hi</b>", ("Tom & <Jerry>", mail.Link("<go>", "https://x.test/?a=1&b=2"))
    )
    assert mail.send("ada@example.com", message)
    sent = mailbox.latest("ada@example.com")
    assert "<p>Tom &amp; &lt;Jerry&gt;</p>" in sent["html"]
    assert '<a href="https://x.test/?a=1&amp;b=2">&lt;go&gt;</a>' in sent["html"]
    assert sent["subject"] == "<b>Hi</b>" and "Tom & <Jerry>" in sent["text"]


def test_a_refused_send_is_false_logged_without_the_message_and_leaves_no_link(
    api, mailbox, caplog, monkeypatch
):
    monkeypatch.setenv("EMAIL_FROM", "no-reply@not-verified.example.test")
    from chalicelib import config

    config.settings.cache_clear()
    try:
        with caplog.at_level(logging.INFO):
            assert api.post("/signup", SIGNUP).status_code == 201  # the account stands
    finally:
        config.settings.cache_clear()
    assert mailbox.emails() == []
    assert list(EmailLink.scan()) == []  # nothing half-written: the links were withdrawn
    (line,) = [r.getMessage() for r in caplog.records if r.name == "chalicelib.mail"]
    assert line == "email not sent: SES answered MessageRejected"


def test_ses_out_of_reach_is_false(mailbox, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    class Unreachable:
        def send_email(self, **_):
            raise EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com")

    monkeypatch.setattr(mail, "_client", lambda: Unreachable())
    assert not mail.send("ada@example.com", mail.Mail("s", ("t",)))


def test_the_client_waits_briefly_and_never_sends_twice(mailbox):
    """A send is not idempotent: SES throttling (which botocore would retry) is tried once."""
    from botocore.awsrequest import AWSResponse

    client = mail._client()
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (2, 3)
    attempts = []

    def throttled(request, **_):
        attempts.append(request.url)
        body = b'{"message": "Maximum sending rate exceeded."}'
        headers = {"x-amzn-ErrorType": "TooManyRequestsException"}
        return AWSResponse(request.url, 429, headers, _Raw(body))

    client.meta.events.register_first("before-send.sesv2.SendEmail", throttled)
    assert not mail.send("ada@example.com", mail.Mail("s", ("t",)))
    assert len(attempts) == 1
    assert mail._client() is client  # made once


class _Raw:
    def __init__(self, data):
        self.data = data

    def stream(self, **_):
        yield self.data


@pytest.mark.parametrize("to", ["ada@example.com\r\nBcc: eve@example.com", "ada@exa\nmple.com"])
def test_a_header_cannot_be_smuggled_in(mailbox, to):
    assert not mail.send(to, mail.Mail("s", ("t",)))
    assert mailbox.emails() == []
