"""One emulator: an Authy application and a Twilio account with Verify, their state,
the callback sender, faults and call counters, and the mailbox."""

import threading

from devstack.emulator.authenticator import Authenticator
from devstack.emulator.callback_payload import callback_params
from devstack.emulator.callbacks import CallbackSender
from devstack.emulator.faults import ENDPOINTS, FaultInjector
from devstack.emulator.mail import SentMail
from devstack.emulator.state import AuthyState
from devstack.emulator.verify_factors import FactorState
from devstack.emulator.verify_state import VerifyState


class Emulator:
    """Everything behind the Flask routes; every part shares one lock."""

    def __init__(
        self,
        api_key,
        callback_url,
        callback_method,
        app_installed_default,
        clock,
        app_name,
        twilio_credentials,
        mail=None,
    ):
        if not api_key:
            raise ValueError("the emulator needs an API key")
        if not all(twilio_credentials):
            raise ValueError("the emulator needs a Twilio account SID and auth token")
        self.api_key = api_key
        self.twilio_credentials = tuple(twilio_credentials)
        self.app_name = app_name
        self.clock = clock
        self.lock = threading.RLock()
        self.state = AuthyState(self.lock, clock, app_installed_default)
        self.verify = VerifyState(self.lock, clock)
        self.factors = FactorState(self.lock, clock)
        self.authenticator = Authenticator(self.lock, clock)
        self.callbacks = CallbackSender(api_key, callback_url, callback_method, self.lock, clock)
        self.faults = FaultInjector(self.lock)
        self.calls = dict.fromkeys(ENDPOINTS, 0)
        self.mail = mail or SentMail(None)  # the stack's sent mail; none without one

    def count(self, endpoint):
        with self.lock:
            self.calls[endpoint] = self.calls.get(endpoint, 0) + 1

    def answer(self, request_uuid, answer):
        """Answer a pending request as the phone would; approvals and denials call back."""
        with self.lock:
            request = self.state.answer(request_uuid, answer)
            if answer in ("approved", "denied"):
                user = self.state.users[request.authy_id]
                params = callback_params(request, user, self.api_key, self.clock())
                self.callbacks.notify(params)
            return request

    def stats(self):
        with self.lock:
            deliveries = self.callbacks.deliveries
            return {
                "calls": dict(self.calls),
                "faults_fired": dict(self.faults.fired),
                "callbacks": {
                    "delivered": sum(1 for delivery in deliveries if delivery["ok"]),
                    "failed": sum(1 for delivery in deliveries if not delivery["ok"]),
                },
            }

    def reset(self):
        with self.lock:
            self.state.reset()
            self.verify.reset()
            self.factors.reset()
            self.authenticator.reset()
            self.callbacks.reset()
            self.faults.reset()
            self.calls = dict.fromkeys(ENDPOINTS, 0)
