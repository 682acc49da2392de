"""Injected failures per endpoint (Authy's and Verify's): latency, an error status, a hang,
a broken body. An endpoint is named after its route's view function."""

import dataclasses
import random
import threading

AUTHY_ENDPOINTS = (
    "users_new",
    "user_status",
    "user_remove",
    "sms",
    "call",
    "verify",
    "onetouch_create",
    "onetouch_status",
)
VERIFY_ENDPOINTS = (
    "verify_service_create",
    "verify_service_list",
    "verify_service_fetch",
    "verify_start",
    "verify_fetch",
    "verify_update",
    "verify_check",
    "verify_entity_create",
    "verify_entity_fetch",
    "verify_entity_delete",
    "verify_factor_create",
    "verify_factor_list",
    "verify_factor_fetch",
    "verify_factor_update",
    "verify_factor_delete",
    "verify_challenge_create",
    "verify_challenge_fetch",
    "verify_challenge_update",
)
ENDPOINTS = AUTHY_ENDPOINTS + VERIFY_ENDPOINTS
DEFAULT_HANG_SECONDS = 30


@dataclasses.dataclass
class Fault:
    """What happens to a call when the fault fires; ``count`` None means every time."""

    endpoint: str
    latency: float = 0.0
    status: int | None = None
    hang: float = 0.0
    malformed: bool = False
    rate: float = 1.0
    count: int | None = None
    released: threading.Event = dataclasses.field(default_factory=threading.Event, repr=False)

    def pause(self):
        """Sleep for the latency and hang; clearing the faults wakes the caller early."""
        delay = self.latency + self.hang
        if delay:
            self.released.wait(delay)

    def describe(self):
        return {
            "endpoint": self.endpoint,
            "latency": self.latency,
            "status": self.status,
            "hang": self.hang,
            "malformed": self.malformed,
            "rate": self.rate,
            "count": self.count,
        }


def parse_fault(spec):
    """Build a Fault from the control API's JSON; ValueError names what is wrong."""
    endpoint = spec.get("endpoint")
    if endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}")
    hang = spec.get("hang", 0)
    if isinstance(hang, bool):
        hang = DEFAULT_HANG_SECONDS if hang else 0
    fault = Fault(
        endpoint=endpoint,
        latency=_number("latency", spec.get("latency", 0), 0, 600),
        status=_status(spec.get("status")),
        hang=_number("hang", hang, 0, 600),
        malformed=spec.get("malformed", False),
        rate=_number("rate", spec.get("rate", 1), 0, 1),
        count=_count(spec.get("count")),
    )
    if not isinstance(fault.malformed, bool):
        raise ValueError("malformed must be true or false")
    if not (fault.latency or fault.status or fault.hang or fault.malformed):
        raise ValueError("a fault needs latency, status, hang or malformed")
    return fault


def _number(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low} to {high}")
    return float(value)


def _status(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599:
        raise ValueError("status must be an HTTP error status (400-599)")
    return value


def _count(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("count must be a positive integer")
    return value


class FaultInjector:
    """One fault per endpoint at most; whether a call is hit is drawn from a seeded random."""

    def __init__(self, lock, seed=0):
        self.lock = lock
        self.seed = seed
        self.reset()

    def reset(self):
        with self.lock:
            self.clear()
            self.fired = dict.fromkeys(ENDPOINTS, 0)

    def clear(self, endpoint=None):
        """Remove the faults (all, or one endpoint's) and wake calls still held by them."""
        with self.lock:
            faults = getattr(self, "faults", {})
            gone = [name for name in faults if endpoint in (None, name)]
            for name in gone:
                faults.pop(name).released.set()
            self.faults = faults
            self._random = random.Random(self.seed) if endpoint is None else self._random

    def add(self, fault, seed=None):
        with self.lock:
            self.clear(fault.endpoint)
            self.faults[fault.endpoint] = fault
            if seed is not None:
                self._random = random.Random(seed)

    def draw(self, endpoint):
        """The fault hitting this call, or None; a counted fault is used up as it fires."""
        with self.lock:
            fault = self.faults.get(endpoint)
            if fault is None or self._random.random() >= fault.rate:
                return None
            self.fired[endpoint] += 1
            if fault.count is not None:
                fault.count -= 1
                if fault.count == 0:
                    del self.faults[endpoint]
            return fault

    def describe(self):
        with self.lock:
            return [fault.describe() for fault in self.faults.values()]


def faulty_answer(emulator, endpoint, malformed_body, error_for_status):
    """Count a call to ``endpoint`` and play the fault injected there, if one fires.

    Returns the Flask answer a fault gives (a malformed body, or ``error_for_status``'s
    error in the vendor's own shape), or None when the call should go on.
    """
    from flask import Response

    emulator.count(endpoint)
    fault = emulator.faults.draw(endpoint)
    if fault is None:
        return None
    fault.pause()
    if fault.malformed:
        return Response(malformed_body, status=fault.status or 200, mimetype="application/json")
    if fault.status:
        return error_for_status(fault.status).response()
    return None
