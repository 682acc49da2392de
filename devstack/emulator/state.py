"""The emulated Authy service's data: users, the codes sent to them, OneTouch requests.

Every method takes the one lock shared with the callback sender and the fault injector, so
Flask's threads, the control API and the callback worker see a consistent state.
"""

import dataclasses
import secrets
import threading
import uuid

from devstack.emulator import totp
from devstack.emulator.shared import ClockedState

CODE_LENGTH = 7
CODE_LIFE_SECONDS = 600
DEFAULT_SECONDS_TO_EXPIRE = 86400
STATUSES = ("pending", "approved", "denied", "expired")


class UnknownUser(LookupError):
    """No (live) user has this Authy id."""


class UnknownRequest(LookupError):
    """No approval request has this uuid."""


class NotPending(ValueError):
    """The approval request was already answered or has expired."""


class AppNotInstalled(ValueError):
    """The user has no Authy app, so there is no app code to show."""


@dataclasses.dataclass
class User:
    authy_id: int
    email: str
    cellphone: str
    country_code: int
    app_installed: bool
    totp_secret: bytes
    device_id: int
    created_at: float
    removed: bool = False

    @property
    def devices(self):
        return ["iphone"] if self.app_installed else []


@dataclasses.dataclass
class Message:
    """A text or voice call that carried a one-time code."""

    id: int
    authy_id: int
    via: str
    code: str
    cellphone: str
    at: float


@dataclasses.dataclass
class ApprovalRequest:
    uuid: str
    authy_id: int
    message: str
    details: dict
    hidden_details: dict
    logos: list
    seconds_to_expire: int
    created_at: float
    answer: str = "pending"
    answered_at: float | None = None

    @property
    def expires_at(self):
        """None when the request never expires (``seconds_to_expire`` 0)."""
        return self.created_at + self.seconds_to_expire if self.seconds_to_expire else None

    def status_at(self, now):
        """Expiry is computed on read, as the clock moves."""
        if self.answer == "pending" and self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return self.answer

    def updated_at(self, now):
        if self.answered_at is not None:
            return self.answered_at
        if self.status_at(now) == "expired":
            return self.expires_at
        return self.created_at


class AuthyState(ClockedState):
    """Users, messages and approval requests of one emulated Authy application."""

    def __init__(self, lock, clock, app_installed_default=True, seed=None):
        self.app_installed_default = app_installed_default
        super().__init__(lock or threading.RLock(), clock, seed)

    def reset(self):
        with self.lock:
            self.users = {}
            self.ids_by_identity = {}
            self.messages = []
            self.requests = {}
            self._next_id = 10_000_001

    # users

    def register(self, email, cellphone, country_code):
        """Idempotent: the same email and phone get the same id, even after a removal."""
        identity = (email.lower(), country_code, cellphone)
        with self.lock:
            authy_id = self.ids_by_identity.get(identity)
            if authy_id is None:
                authy_id = self._next_id
                self._next_id += 1
                self.ids_by_identity[identity] = authy_id
            user = self.users.get(authy_id)
            if user is None or user.removed:
                user = self._new_user(authy_id, email, cellphone, country_code)
                self.users[authy_id] = user
            return user

    def _new_user(self, authy_id, email, cellphone, country_code):
        return User(
            authy_id=authy_id,
            email=email,
            cellphone=cellphone,
            country_code=country_code,
            app_installed=self.app_installed_default,
            totp_secret=secrets.token_bytes(20),
            device_id=self._random.randrange(1_000_000, 9_999_999),
            created_at=self.now(),
        )

    def user(self, authy_id):
        with self.lock:
            user = self.users.get(_as_id(authy_id))
            if user is None or user.removed:
                raise UnknownUser(authy_id)
            return user

    def live_users(self):
        with self.lock:
            return [user for user in self.users.values() if not user.removed]

    def remove(self, authy_id):
        with self.lock:
            self.user(authy_id).removed = True

    def set_app(self, authy_id, installed):
        with self.lock:
            user = self.user(authy_id)
            user.app_installed = installed
            return user

    # one-time codes

    def send_code(self, authy_id, via, cellphone):
        """Record a text or call carrying a fresh code; that code replaces earlier ones."""
        with self.lock:
            user = self.user(authy_id)
            code = f"{self._random.randrange(10**CODE_LENGTH):0{CODE_LENGTH}d}"
            message_id = len(self.messages) + 1
            message = Message(message_id, user.authy_id, via, code, cellphone, self.now())
            self.messages.append(message)
            return message

    def app_code(self, authy_id):
        """The code the user's Authy app shows now, and the seconds until it changes."""
        with self.lock:
            user = self.user(authy_id)
            if not user.app_installed:
                raise AppNotInstalled(authy_id)
            now = self.now()
            return totp.code_at(user.totp_secret, now), totp.seconds_left(now)

    def verify(self, authy_id, token):
        """True for the latest texted/called code within its life, or the app's code.

        A code stays valid for its whole life however often it is checked: Authy does not
        spend codes, so the application must refuse a replay itself.
        """
        with self.lock:
            user = self.user(authy_id)
            now = self.now()
            latest = self.latest_message(user.authy_id)
            if latest and now - latest.at < CODE_LIFE_SECONDS and token == latest.code:
                return True
            return user.app_installed and token in totp.accepted_codes(user.totp_secret, now)

    def latest_message(self, authy_id):
        with self.lock:
            mine = [message for message in self.messages if message.authy_id == authy_id]
            return mine[-1] if mine else None

    # OneTouch

    def create_request(self, authy_id, message, details, hidden_details, logos, seconds):
        with self.lock:
            user = self.user(authy_id)
            request = ApprovalRequest(
                uuid=str(uuid.uuid4()),
                authy_id=user.authy_id,
                message=message,
                details=details,
                hidden_details=hidden_details,
                logos=logos,
                seconds_to_expire=seconds,
                created_at=self.now(),
            )
            self.requests[request.uuid] = request
            return request

    def request(self, request_uuid):
        with self.lock:
            request = self.requests.get(request_uuid)
            if request is None:
                raise UnknownRequest(request_uuid)
            return request

    def answer(self, request_uuid, answer):
        """Approve, deny or expire a pending request; NotPending if it is past that."""
        with self.lock:
            request = self.request(request_uuid)
            now = self.now()
            if request.status_at(now) != "pending":
                raise NotPending(request.status_at(now))
            request.answer = answer
            request.answered_at = now
            return request


def _as_id(authy_id):
    try:
        return int(authy_id)
    except (TypeError, ValueError):
        return None
