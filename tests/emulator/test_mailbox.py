"""The mailbox: what SES took on moto (devstack/aws.py serves it), read by the emulator's
``GET /emulator/emails`` as a mail client would."""

import threading
from email.message import EmailMessage
from email.policy import SMTP

import boto3
import pytest
import requests
from moto import mock_aws
from werkzeug.serving import make_server

from devstack.aws import with_sent_mail
from devstack.emulator import create_app
from devstack.emulator_client import EmulatorControl
from devstack.mailbox import SENT_PATH
from tests.emulator.conftest import API_KEY

SENDER = "no-reply@login.example.test"


def moto_app(environ, start_response):
    """Stands in for moto's own application behind the wrapper."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"moto"]


@pytest.fixture
def ses(monkeypatch):
    """SES on moto in this process, the sender's domain verified; a sesv2 client."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("sesv2", region_name="us-east-1")
        client.create_email_identity(EmailIdentity="login.example.test")
        yield client


@pytest.fixture
def aws_url(ses):
    """devstack.aws's wrapper over real HTTP, reading this process's moto."""
    server = make_server("127.0.0.1", 0, with_sent_mail(moto_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def send(ses, to, subject, text, html="<p>hello</p>"):
    message = EmailMessage()
    message["From"] = f"Twofold <{SENDER}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Mon, 30 Nov 2026 21:00:00 GMT"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    ses.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": [to]},
        Content={"Raw": {"Data": message.as_bytes(policy=SMTP)}},
    )


def emails(aws_url, to=None):
    client = create_app(API_KEY, aws_url=aws_url).test_client()
    response = client.get("/emulator/emails", query_string={"to": to} if to else None)
    return response.status_code, response.get_json()


def test_the_mailbox_shows_each_email_with_its_text_and_links(ses, aws_url):
    link = "http://localhost:8080/email.html#token=abc_DEF-123"
    send(ses, "ada@example.com", "Confirm your email", f"Confirm it:\n{link}\n\nThanks.")
    send(ses, "grace@example.com", "Reset your password", "No links here.")

    status, body = emails(aws_url)
    assert status == 200
    first, second = body["emails"]
    assert first["to"] == ["ada@example.com"] and second["to"] == ["grace@example.com"]
    assert first["subject"] == "Confirm your email"
    assert first["from"] == f"Twofold <{SENDER}>"
    assert first["text"].startswith("Confirm it:") and first["links"] == [link]
    assert first["at"] == 1796072400.0
    assert second["links"] == []
    assert set(first) == {"id", "from", "to", "subject", "at", "text", "links"}


def test_one_address_at_a_time(ses, aws_url):
    send(ses, "ada@example.com", "One", "1")
    send(ses, "grace@example.com", "Two", "2")
    _, body = emails(aws_url, to="Ada@Example.com")
    assert [email["subject"] for email in body["emails"]] == ["One"]


def test_without_a_moto_server_the_mailbox_is_empty():
    assert emails(None) == (200, {"emails": []})


def test_a_moto_server_out_of_reach_is_a_502():
    status, body = emails("http://127.0.0.1:9")
    assert status == 502 and "moto's sent mail" in body["error"]


def test_the_wrapper_leaves_everything_else_to_moto(aws_url):
    assert requests.get(aws_url + "/", timeout=5).text == "moto"
    assert requests.post(aws_url + SENT_PATH, timeout=5).status_code == 405
    assert requests.get(aws_url + SENT_PATH, timeout=5).json() == {"messages": []}


def test_the_client_waits_for_an_email_and_finds_its_link(ses, aws_url):
    app = create_app(API_KEY, aws_url=aws_url)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    control = EmulatorControl(f"http://127.0.0.1:{server.server_port}")
    try:
        send(ses, "ada@example.com", "First", "http://localhost/email.html#token=one")
        send(ses, "ada@example.com", "Second", "http://localhost/reset.html#token=two")
        second = control.wait_for_email("ada@example.com", after=1)
        assert second["subject"] == "Second"
        assert control.link_in(second, "reset.html") == "http://localhost/reset.html#token=two"
        assert control.wait_for_email("ada@example.com", subject="First")["subject"] == "First"
        with pytest.raises(TimeoutError):
            control.wait_for_email("nobody@example.com", timeout=0.2)
    finally:
        control.session.close()
        server.shutdown()
        server.server_close()
