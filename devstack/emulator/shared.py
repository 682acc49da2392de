"""What the emulator's parts share: the Emulator behind the running app, the control
API's error answer, and the base of each vendor's in-memory state."""

import random

from flask import current_app, jsonify


def emulator():
    """The Emulator of the app serving this request."""
    return current_app.extensions["emulator"]


def control_error(status, message):
    """A control API error: ``{"error": message}`` with ``status``."""
    response = jsonify(error=message)
    response.status_code = status
    return response


class ClockedState:
    """State under the emulator's one lock, read against its clock, drawn from a seeded
    random; ``reset`` (each vendor's own) empties it."""

    def __init__(self, lock, clock, seed=None):
        self.lock = lock
        self.clock = clock
        self._random = random.Random(seed)
        self.reset()

    def reset(self):
        raise NotImplementedError

    def now(self):
        return self.clock()
