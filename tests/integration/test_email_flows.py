"""The email flows on the real stack: SES on moto sends, the emulator's mailbox reads, the
API is called as the site's pages call it (``/api`` on the site's origin)."""

import time

import pytest

from chalicelib.password_reset import ANSWER, ANSWER_SECONDS
from deploy.project import chalice_config
from devstack.stack import EMAIL_FROM
from tests.integration.conftest import PASSWORD, Api, authy_id_of, session_when_approved

NEW_PASSWORD = "a brand new passphrase"
APP = chalice_config()["environment_variables"]["APP_NAME"]  # chalice local lets it win


@pytest.fixture
def site_api(stack):
    """The API as the pages reach it: through the site's origin, at /api."""
    api = Api(stack.site_api_url)
    yield api
    api.session.close()


def token_of(link, param="token"):
    return link.split(f"#{param}=", 1)[1]


def test_the_sender_is_a_verified_identity_on_moto(stack):
    import botocore.session

    client = botocore.session.get_session().create_client(
        "sesv2",
        region_name="us-east-1",
        endpoint_url=stack.dynamodb_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    domain = EMAIL_FROM.rpartition("@")[2]
    assert client.get_email_identity(EmailIdentity=domain)["VerificationStatus"] == "SUCCESS"
    client.close()
    assert stack.environment()["AWS_ENDPOINT_URL_SESV2"] == stack.dynamodb_url


def test_the_signup_email_proves_the_address_once(stack, api, site_api, member):
    email = stack.emulator.wait_for_email(member.email)
    assert email["subject"] == f"Confirm your email for {APP}"
    assert email["from"] == f"{APP} <{EMAIL_FROM}>"
    link = stack.emulator.link_in(email, "email.html")
    assert link.startswith(f"{stack.site_url}/email.html#token=")
    session = session_of(stack, api, member)
    assert api.account(session)["email_proven"] is False

    proven = site_api.call("POST", "/email/prove", json={"token": token_of(link)})
    assert proven.status_code == 200 and proven.json()["email_proven"] is True
    assert api.account(session)["email_proven"] is True
    again = site_api.call("POST", "/email/prove", json={"token": token_of(link)})
    assert again.status_code == 400 and again.json()["error"]["code"] == "link_invalid"


def test_release_frees_the_address_and_removes_it_at_the_vendor(stack, api, site_api, member):
    release = stack.emulator.link_in(
        stack.emulator.wait_for_email(member.email), "email.html", "release"
    )
    answer = site_api.call("POST", "/email/release", json={"token": token_of(release, "release")})
    assert answer.status_code == 200
    assert member.email not in [user["email"] for user in stack.emulator.users()]
    assert api.signup(member.email)["method"] == "onetouch"  # the address is free again


def test_forgot_answers_alike_and_only_a_proven_address_gets_mail(stack, site_api, member):
    email = stack.emulator.wait_for_email(member.email)
    site_api.ok("POST", "/email/prove", json={"token": token_of(email["links"][0])})
    unknown = f"nobody-{member.email}"

    answers = []
    for address in (member.email, unknown):
        started = time.monotonic()
        response = site_api.call("POST", "/password/forgot", json={"email": address})
        answers.append((response, time.monotonic() - started))
    (known, known_took), (other, other_took) = answers
    assert known.status_code == other.status_code == 202
    assert known.content == other.content and known.json() == {"message": ANSWER}
    assert sorted(known.headers) == sorted(other.headers)
    assert known_took >= ANSWER_SECONDS and other_took >= ANSWER_SECONDS
    reset = stack.emulator.wait_for_email(member.email, subject=f"Reset your {APP} password")
    assert stack.emulator.link_in(reset, "reset.html").startswith(f"{stack.site_url}/reset.html#")
    assert stack.emulator.emails(unknown) == []


def test_a_reset_ends_the_sessions_and_still_asks_for_the_phone(stack, api, site_api, member):
    proof = stack.emulator.wait_for_email(member.email)
    site_api.ok("POST", "/email/prove", json={"token": token_of(proof["links"][0])})
    session = session_of(stack, api, member)
    site_api.ok("POST", "/password/forgot", json={"email": member.email}, status=202)
    link = stack.emulator.link_in(
        stack.emulator.wait_for_email(member.email, after=1), "reset.html"
    )

    body = {"token": token_of(link), "new_password": NEW_PASSWORD}
    assert site_api.call("POST", "/password/reset", json=body).status_code == 204
    assert api.call("GET", "/account", token=session["token"]).status_code == 401
    old = api.call("POST", "/login", json={"email": member.email, "password": PASSWORD})
    assert old.status_code == 401
    new = api.ok("POST", "/login", json={"email": member.email, "password": NEW_PASSWORD})
    assert set(new) == {"challenge"}  # the second factor, as always
    notice = stack.emulator.wait_for_email(member.email, subject=f"Your {APP} password was changed")
    assert NEW_PASSWORD not in notice["text"]
    again = site_api.call("POST", "/password/reset", json=body)
    assert again.status_code == 400 and again.json()["error"]["code"] == "link_invalid"


def session_of(stack, api, member):
    """A new session of the member: log in, approve the push."""
    challenge = api.login(member.email)
    authy_id = authy_id_of(stack, member.email)
    stack.emulator.approve(stack.emulator.wait_for_request(authy_id)["uuid"])
    return session_when_approved(stack, api, challenge)
