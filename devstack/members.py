"""People for the local stack, made the way a person would: signed up through the API,
the phone proven on the emulator (an approved push with Authy, the texted code with
Verify). Tests and the bench make members with these, so they all agree.
"""

import dataclasses
import secrets

import requests

PASSWORD = "correct horse battery staple"  # noqa: S105 - members of the local stack only
COUNTRY_CODE = 1
TIMEOUT = (2, 20)


@dataclasses.dataclass(frozen=True)
class Member:
    name: str
    email: str
    password: str
    phone: str  # national digits, as typed at signup (country code 1)
    authy_id: int | None = None  # with Authy: the emulator's id for the user

    @property
    def e164(self):
        return f"+{COUNTRY_CODE}{self.phone}"


def unique_email(prefix="user"):
    return f"{prefix}-{secrets.token_hex(5)}@example.com"


def us_phone():
    """A number +1 numbering takes as mobile, different for every member: texts to one
    number are budgeted across accounts."""
    return f"201555{secrets.randbelow(10_000):04d}"


def sign_up(stack, name="Ada Lovelace", email=None, phone=None, http=None):
    """A new member whose signup proved the phone; the signup's session is dropped."""
    member = Member(name, email or unique_email(), PASSWORD, phone or us_phone())
    http = http or requests.Session()
    body = {
        "name": member.name,
        "email": member.email,
        "password": member.password,
        "country_code": COUNTRY_CODE,
        "phone": member.phone,
    }
    answer = http.post(f"{stack.api_url}/signup", json=body, timeout=TIMEOUT)
    answer.raise_for_status()
    challenge = answer.json()["challenge"]
    if stack.provider == "authy":
        member = dataclasses.replace(member, authy_id=authy_id_of(stack, member.email))
    prove_phone(stack, member, challenge, http)
    return member


def prove_phone(stack, member, challenge, http):
    """Answer a signup or login challenge as the member's phone would; the session."""
    if challenge["method"] == "onetouch":
        request = stack.emulator.wait_for_request(member.authy_id)
        stack.emulator.approve(request["uuid"])
        return session_when_approved(stack, challenge, http)
    answer = http.post(
        f"{stack.api_url}/login/verify",
        json={"token": latest_code(stack, member)},
        headers={"Authorization": f"Bearer {challenge['token']}"},
        timeout=TIMEOUT,
    )
    answer.raise_for_status()
    return answer.json()["session"]


def latest_code(stack, member):
    """The code of the latest text or call to the member (waits for one to arrive)."""
    if member.authy_id is not None:
        read = lambda: stack.emulator.latest_code(member.authy_id)  # noqa: E731
    else:
        read = lambda: stack.emulator.latest_verify_code(member.e164)  # noqa: E731
    return stack.emulator.wait_for(read, message=f"a code for {member.email}")


def authy_id_of(stack, email):
    """The Authy id the emulator gave this email (signup registers it there)."""

    def registered():
        found = [u for u in stack.emulator.users() if u["email"].lower() == email.lower()]
        return found[-1]["authy_id"] if found else None

    return stack.emulator.wait_for(registered, message=f"{email} in the emulator")


def session_when_approved(stack, challenge, http):
    """Poll GET /login/status until it hands out the session."""

    def session():
        status = http.get(
            f"{stack.api_url}/login/status",
            headers={"Authorization": f"Bearer {challenge['token']}"},
            timeout=TIMEOUT,
        ).json()
        assert status.get("status") in ("pending", "approved"), status
        return status.get("session")

    return stack.emulator.wait_for(session, timeout=20, interval=0.1, message="the approval")
