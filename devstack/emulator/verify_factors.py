"""The emulated Verify account's Entities, TOTP Factors and Challenges.

An Entity is one user (an opaque identity); a TOTP Factor binds a secret to it, and is
verified by a first code; a Challenge checks a later code. Five wrong codes per factor
(60310) or challenge (60308); challenges live 5 minutes unless told. Codes are checked
against the factor's steps from ``skew`` before to ``skew`` after now.
"""

import base64
import dataclasses
import secrets
import urllib.parse

from devstack.emulator import totp
from devstack.emulator import verify_errors as errors
from devstack.emulator.shared import ClockedState
from devstack.emulator.verify_state import new_sid

MAX_WRONG_CODES = 5
CHALLENGE_LIFE_SECONDS = 300


@dataclasses.dataclass
class Entity:
    sid: str
    service_sid: str
    identity: str
    created_at: float


@dataclasses.dataclass
class Factor:
    sid: str
    service_sid: str
    entity_sid: str
    identity: str
    friendly_name: str
    secret: bytes
    config: dict  # alg, skew, code_length, time_step
    issuer: str
    created_at: float
    updated_at: float
    status: str = "unverified"
    wrong_codes: int = 0

    @property
    def base32_secret(self):
        return base64.b32encode(self.secret).decode("ascii").rstrip("=")

    @property
    def uri(self):
        """The otpauth URI an authenticator app reads (as a QR code or pasted)."""
        issuer = urllib.parse.quote(self.issuer, safe="")
        label = f"{issuer}:{urllib.parse.quote(self.friendly_name, safe='')}"
        query = urllib.parse.urlencode(
            {
                "secret": self.base32_secret,
                "issuer": self.issuer,
                "algorithm": self.config["alg"].upper(),
                "digits": self.config["code_length"],
                "period": self.config["time_step"],
            },
            quote_via=urllib.parse.quote,
        )
        return f"otpauth://totp/{label}?{query}"

    def accepts(self, code, now):
        config = self.config
        return code in totp.codes_within(
            self.secret,
            now,
            config["skew"],
            config["code_length"],
            config["time_step"],
            config["alg"],
        )

    def code_at(self, now):
        config = self.config
        return totp.code_at(
            self.secret, now, config["code_length"], config["time_step"], config["alg"]
        )


@dataclasses.dataclass
class Challenge:
    sid: str
    service_sid: str
    entity_sid: str
    identity: str
    factor_sid: str
    details: dict
    hidden_details: dict | None
    created_at: float
    expires_at: float
    updated_at: float
    responded_at: float | None = None
    answer: str = "pending"
    wrong_codes: int = 0

    def status_at(self, now):
        if self.answer == "pending" and now >= self.expires_at:
            return "expired"
        return self.answer


class FactorState(ClockedState):
    """Entities with their factors and challenges, per Service."""

    def reset(self):
        with self.lock:
            self.entities = {}  # (service_sid, identity) -> Entity
            self.factors = {}  # sid -> Factor
            self.challenges = {}  # sid -> Challenge

    # entities

    def entity(self, service_sid, identity, path, create=False):
        with self.lock:
            found = self.entities.get((service_sid, identity))
            if found is None and create:
                found = Entity(new_sid("YE", self._random), service_sid, identity, self.now())
                self.entities[(service_sid, identity)] = found
            if found is None:
                raise errors.not_found(path)
            return found

    def delete_entity(self, service_sid, identity, path):
        """Delete the entity with its factors and challenges."""
        with self.lock:
            entity = self.entity(service_sid, identity, path)
            del self.entities[(service_sid, identity)]
            for table in (self.factors, self.challenges):
                for sid in [sid for sid, item in table.items() if item.entity_sid == entity.sid]:
                    del table[sid]

    # factors

    def create_factor(self, service, identity, friendly_name, config, secret, path):
        with self.lock:
            entity = self.entity(service.sid, identity, path, create=True)
            now = self.now()
            factor = Factor(
                sid=new_sid("YF", self._random),
                service_sid=service.sid,
                entity_sid=entity.sid,
                identity=identity,
                friendly_name=friendly_name,
                secret=secret or secrets.token_bytes(20),
                config=config,
                issuer=service.totp["issuer"] or service.friendly_name,
                created_at=now,
                updated_at=now,
            )
            self.factors[factor.sid] = factor
            return factor

    def factor(self, service_sid, identity, sid, path):
        with self.lock:
            factor = self.factors.get(sid)
            if factor is None or (factor.service_sid, factor.identity) != (service_sid, identity):
                raise errors.not_found(path)
            return factor

    def factors_of(self, service_sid, identity):
        with self.lock:
            return [
                factor
                for factor in self.factors.values()
                if (factor.service_sid, factor.identity) == (service_sid, identity)
            ]

    def verify_factor(self, factor, code):
        """A right first code verifies; a wrong one is counted, and the sixth try is 60310."""
        with self.lock:
            if factor.status == "verified":
                return factor
            if factor.wrong_codes >= MAX_WRONG_CODES:
                raise errors.factor_attempts()
            now = self.now()
            if factor.accepts(code, now):
                factor.status = "verified"
            else:
                factor.wrong_codes += 1
            factor.updated_at = now
            return factor

    def delete_factor(self, factor):
        with self.lock:
            del self.factors[factor.sid]
            for sid in [sid for sid, c in self.challenges.items() if c.factor_sid == factor.sid]:
                del self.challenges[sid]

    # challenges

    def create_challenge(self, factor, code, expires_at, details, hidden_details):
        """A challenge of a verified factor, answered at once when ``code`` is given."""
        with self.lock:
            if factor.status != "verified":
                raise errors.factor_unverified()
            now = self.now()
            challenge = Challenge(
                sid=new_sid("YC", self._random),
                service_sid=factor.service_sid,
                entity_sid=factor.entity_sid,
                identity=factor.identity,
                factor_sid=factor.sid,
                details=details,
                hidden_details=hidden_details,
                created_at=now,
                expires_at=expires_at or now + CHALLENGE_LIFE_SECONDS,
                updated_at=now,
            )
            self.challenges[challenge.sid] = challenge
            if code is not None:
                self.answer_challenge(challenge, code)
            return challenge

    def challenge(self, service_sid, identity, sid, path):
        with self.lock:
            found = self.challenges.get(sid)
            if found is None or (found.service_sid, found.identity) != (service_sid, identity):
                raise errors.not_found(path)
            return found

    def answer_challenge(self, challenge, code):
        """Approve on a right code; count a wrong one; 60308 after five, 60323 once expired."""
        with self.lock:
            now = self.now()
            status = challenge.status_at(now)
            if status == "expired":
                raise errors.challenge_expired()
            if status != "pending":
                return challenge
            if challenge.wrong_codes >= MAX_WRONG_CODES:
                raise errors.challenge_attempts()
            if self.factors[challenge.factor_sid].accepts(code, now):
                challenge.answer, challenge.responded_at = "approved", now
            else:
                challenge.wrong_codes += 1
            challenge.updated_at = now
            return challenge
