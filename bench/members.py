"""Bench users: signed up through the API, their signup push approved on the emulator."""

import concurrent.futures
import dataclasses
import secrets

import requests

PASSWORD = "correct horse battery staple"  # noqa: S105 - bench users on the local stack
TIMEOUT = (2, 20)


@dataclasses.dataclass(frozen=True)
class Member:
    email: str
    password: str
    authy_id: int


def sign_up(stack, count, workers=4):
    """``count`` members with the Authy app, signed up ``workers`` at a time."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda _: _sign_up_one(stack), range(count)))


def _sign_up_one(stack):
    email = f"bench-{secrets.token_hex(6)}@example.com"
    body = {
        "name": "Bench User",
        "email": email,
        "password": PASSWORD,
        "country_code": 1,
        "phone": f"201555{secrets.randbelow(10_000):04d}",
    }
    with requests.Session() as http:
        answer = http.post(f"{stack.api_url}/signup", json=body, timeout=TIMEOUT)
        answer.raise_for_status()
        token = answer.json()["challenge"]["token"]
        authy_id = _authy_id(stack, email)
        stack.emulator.approve(stack.emulator.wait_for_request(authy_id)["uuid"])

        def session():
            status = http.get(
                f"{stack.api_url}/login/status",
                headers={"Authorization": f"Bearer {token}"},
                timeout=TIMEOUT,
            ).json()
            return status.get("session")

        stack.emulator.wait_for(session, timeout=20, interval=0.1, message=f"{email}'s signup")
    return Member(email, PASSWORD, authy_id)


def _authy_id(stack, email):
    def registered():
        found = [user for user in stack.emulator.users() if user["email"] == email]
        return found[0]["authy_id"] if found else None

    return stack.emulator.wait_for(registered, message=f"{email} in the emulator")
