"""What the browser tests do again and again: make a member, log in, play the phone."""

import json
import re
import secrets
from dataclasses import dataclass

import requests
from playwright.sync_api import expect

PASSWORD = "correct horse battery staple"
ACCOUNT_URL = re.compile(r"/account\.html$")
LOGIN_URL = re.compile(r"/login\.html$")


def unique_email():
    return f"user-{secrets.token_hex(5)}@example.com"


def us_phone():
    """A number libphonenumber accepts for +1, different for every test."""
    return f"201555{secrets.randbelow(10_000):04d}"


@dataclass
class Member:
    name: str
    email: str
    password: str
    phone: str
    authy_id: str


def authy_id_for(stack, email):
    """The emulator's id for the user registered with ``email`` (waits for the signup)."""

    def find():
        found = [u for u in stack.emulator.users() if u["email"].lower() == email.lower()]
        return str(found[-1]["authy_id"]) if found else None

    return stack.emulator.wait_for(find, message=f"a user {email} in the emulator")


def create_member(stack, name="Ada Lovelace"):
    """Sign up through the API and prove the phone through the emulator, as a set-up step."""
    email, phone = unique_email(), us_phone()
    body = {"name": name, "email": email, "password": PASSWORD, "country_code": "+1"}
    response = requests.post(f"{stack.api_url}/signup", json={**body, "phone": phone}, timeout=20)
    assert response.status_code == 201, response.text
    challenge = response.json()["challenge"]
    authy_id = authy_id_for(stack, email)
    assert challenge["method"] == "onetouch", "new emulator users have the Authy app"
    stack.emulator.approve(stack.emulator.wait_for_request(authy_id)["uuid"])

    def session():
        status = requests.get(
            f"{stack.api_url}/login/status",
            headers={"Authorization": f"Bearer {challenge['token']}"},
            timeout=20,
        ).json()
        return status.get("session")

    stack.emulator.wait_for(session, timeout=20, interval=0.5, message="the signup approval")
    return Member(name, email, PASSWORD, phone, authy_id)


def log_in(page, site_url, member):
    page.goto(f"{site_url}/login.html")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(member.password)
    page.get_by_role("button", name="Log in").click()


def phone_of(phone_page, email):
    """The virtual phone of one user, on the emulator's phone page."""
    return phone_page.get_by_role("region", name=f"Phone of {email}")


def answer_on_phone(phone_page, email, button):
    """Press Approve or Deny on the user's pending OneTouch request; return the request."""
    request = phone_of(phone_page, email).get_by_role("article")
    press = request.get_by_role("button", name=button)
    expect(press).to_be_enabled()
    press.click()
    expect(request).to_contain_text("Approved" if button == "Approve" else "Denied")
    return request


def new_message(stack, authy_id, before):
    """The code of the first text or call sent to ``authy_id`` after ``before`` messages."""

    def arrived():
        messages = stack.emulator.messages(authy_id)
        return messages[before] if len(messages) > before else None

    return stack.emulator.wait_for(arrived, message=f"a new message to {authy_id}")


def wrong_code(right):
    return "000000" if right != "000000" else "111111"


def expect_account(page, member):
    expect(page).to_have_url(ACCOUNT_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {member.name}")
    expect(page.locator("#account-email")).to_have_text(member.email)


def session_storage(page):
    return json.loads(page.evaluate("JSON.stringify(Object.assign({}, sessionStorage))"))


class FakeApi:
    """The API as a table of canned answers, for page tests that need no stack.

    ``on(method, path, *answers)``: each call takes the next answer, the last one repeats.
    An answer is ``(status, body)``, ``(status, body, headers)``, or "abort" (network error).
    A body that is a str is sent as text/html.
    """

    def __init__(self, origin, site_origin):
        self.origin = origin
        self.cors = {
            "Access-Control-Allow-Origin": site_origin,
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Expose-Headers": "Retry-After",
        }
        self.answers = {}
        self.calls = []

    def on(self, method, path, *answers):
        self.answers[(method, path)] = list(answers)

    def called(self, method, path):
        return [call for call in self.calls if call[:2] == (method, path)]

    def handle(self, route):
        request = route.request
        if request.method == "OPTIONS":
            return route.fulfill(status=204, headers=self.cors)
        path = request.url[len(self.origin) :]
        self.calls.append((request.method, path, request.post_data))
        queue = self.answers.get((request.method, path))
        if not queue:
            return route.fulfill(
                status=404,
                headers=self.cors,
                json={"error": {"code": "not_found", "message": "Not faked."}},
            )
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if answer == "abort":
            return route.abort("connectionrefused")
        status, body, headers = (*answer, {})[:3]
        if isinstance(body, str):
            return route.fulfill(
                status=status, headers={**self.cors, **headers}, body=body, content_type="text/html"
            )
        return route.fulfill(status=status, headers={**self.cors, **headers}, json=body)


def challenge_answer(method="onetouch", request_code="K7P-2QX"):
    return {
        "challenge": {
            "token": "challenge-" + secrets.token_hex(8),
            "method": method,
            "expires_in": 300,
            "request_code": request_code,
            "code_sent": method == "sms",
        }
    }


def status_answer(status="pending", method="onetouch", resend_in=0, **extra):
    return {
        "status": status,
        "method": method,
        "expires_in": 280,
        "attempts_left": 5,
        "resend_in": resend_in,
        "sends_left": 5,
        **extra,
    }


ACCOUNT = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+1 ••• ••• 0123",
    "member_since": "2024-03-01T10:00:00Z",
    "last_login": {"at": "2025-01-02T09:30:00Z", "method": "onetouch"},
}
