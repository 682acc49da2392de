"""The emulated Verify account's Services, Verifications and the messages they sent.

Limits as docs/verify-api.md describes them: codes live 10 minutes; five wrong checks,
then 60202; five sends to one number in 10 minutes, then 60203. Expiry is computed on
read from the shared clock. Errors are raised as Twilio's (``VerifyError``).
"""

import dataclasses

from devstack.emulator import verify_errors as errors
from devstack.emulator.shared import ClockedState

CODE_LIFE_SECONDS = 600
MAX_CHECKS = 5
MAX_SENDS = 5
SEND_WINDOW_SECONDS = 600


def new_sid(prefix, rng):
    """A SID like Twilio's: two letters naming the kind, then 32 hex digits."""
    return f"{prefix}{rng.getrandbits(128):032x}"


@dataclasses.dataclass
class Service:
    sid: str
    friendly_name: str
    code_length: int
    totp: dict  # issuer, time_step, code_length, skew
    flags: dict  # the boolean settings, as given
    created_at: float
    updated_at: float


@dataclasses.dataclass
class Verification:
    sid: str
    service_sid: str
    to: str
    channel: str
    code: str
    created_at: float
    updated_at: float
    send_attempts: list = dataclasses.field(default_factory=list)
    wrong_checks: int = 0
    outcome: str = "pending"  # approved, canceled, expired (by the control API)

    @property
    def expires_at(self):
        return self.created_at + CODE_LIFE_SECONDS

    def status_at(self, now):
        if self.outcome == "pending" and now >= self.expires_at:
            return "expired"
        return self.outcome


@dataclasses.dataclass
class Message:
    """A text, call, WhatsApp message or email that carried a Verify code."""

    id: str  # the send attempt's SID
    service_sid: str
    verification_sid: str
    to: str
    via: str
    code: str
    text: str
    at: float


class VerifyState(ClockedState):
    """Services, verifications and messages of one emulated Twilio account."""

    def reset(self):
        with self.lock:
            self.services = {}
            self.verifications = {}
            self.messages = []

    def sid(self, prefix):
        return new_sid(prefix, self._random)

    # services

    def create_service(self, friendly_name, code_length, totp, flags):
        with self.lock:
            now = self.now()
            service = Service(self.sid("VA"), friendly_name, code_length, totp, flags, now, now)
            self.services[service.sid] = service
            return service

    def service(self, sid, path):
        with self.lock:
            service = self.services.get(sid)
            if service is None:
                raise errors.not_found(path)
            return service

    # verifications

    def start(self, service, to, channel):
        """A new verification, or a re-send on the pending one for ``to``."""
        with self.lock:
            now = self.now()
            if self.sends_within_window(service.sid, to) >= MAX_SENDS:
                raise errors.max_send_attempts()
            verification = self.pending_for(service.sid, to)
            if verification is None:
                code = f"{self._random.randrange(10**service.code_length):0{service.code_length}d}"
                verification = Verification(
                    self.sid("VE"), service.sid, to, channel, code, now, now
                )
                self.verifications[verification.sid] = verification
            verification.channel, verification.updated_at = channel, now
            self._send(service, verification, channel, now)
            return verification

    def _send(self, service, verification, channel, now):
        attempt_sid = self.sid("VL")
        verification.send_attempts.append({"time": now, "channel": channel, "sid": attempt_sid})
        text = f"Your {service.friendly_name} verification code is: {verification.code}"
        self.messages.append(
            Message(
                attempt_sid,
                service.sid,
                verification.sid,
                verification.to,
                channel,
                verification.code,
                text,
                now,
            )
        )

    def sends_within_window(self, service_sid, to):
        now = self.now()
        return sum(
            1
            for message in self.messages
            if (message.service_sid, message.to) == (service_sid, to)
            and now - message.at < SEND_WINDOW_SECONDS
        )

    def pending_for(self, service_sid, to):
        with self.lock:
            now = self.now()
            mine = [
                verification
                for verification in self.verifications.values()
                if (verification.service_sid, verification.to) == (service_sid, to)
                and verification.status_at(now) == "pending"
            ]
            return mine[-1] if mine else None

    def pending(self, service_sid, sid, path):
        """The pending verification ``sid``; 20404 once it is approved, expired or closed."""
        with self.lock:
            verification = self.verifications.get(sid)
            if (
                verification is None
                or verification.service_sid != service_sid
                or verification.status_at(self.now()) != "pending"
            ):
                raise errors.not_found(path)
            return verification

    def check(self, verification, code):
        """Approve on the right code, count a wrong one; after five wrong ones, 60202
        until the verification expires (even for the right code)."""
        with self.lock:
            now = self.now()
            if verification.wrong_checks >= MAX_CHECKS:
                raise errors.max_check_attempts()
            if code == verification.code:
                verification.outcome = "approved"
            else:
                verification.wrong_checks += 1
            verification.updated_at = now
            return verification

    def finish(self, verification, outcome):
        """Cancel (or approve, as Twilio allows) a pending verification."""
        with self.lock:
            verification.outcome, verification.updated_at = outcome, self.now()
            return verification

    def expire(self, sid):
        """End a pending verification as if its life were over (the control API's way)."""
        with self.lock:
            verification = self.verifications.get(sid)
            if verification is None:
                raise KeyError(sid)
            status = verification.status_at(self.now())
            if status != "pending":
                raise ValueError(status)
            return self.finish(verification, "expired")
