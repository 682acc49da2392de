"""Authy behind the vendors' face: pushes, codes by text or call, and the Authy app's codes.

One Authy verify call checks a texted, spoken or app code alike, and the Authy app is the
authenticator (nothing to add through us). docs/authy-api.md is the API as we use it.
"""

import functools

import phonenumbers

from chalicelib import clock
from chalicelib.errors import NotFound
from chalicelib.vendors.authy import callback
from chalicelib.vendors.authy.client import AuthyClient


class AuthyVendor:
    name = "authy"
    pushes = True
    offers_authenticator = False

    def __init__(self, config):
        self.config = config

    @functools.cached_property
    def client(self):
        """Made on first use, so the key (maybe from SSM) is read only when Authy is asked."""
        config = self.config
        return AuthyClient(
            config.authy_api_url, config.authy_api_key, timeout=(2.0, config.vendor_read_timeout)
        )

    def enroll(self, email, phone_e164):
        """Register the person with Authy (idempotent there); what the user record keeps."""
        number = phonenumbers.parse(phone_e164, None)
        national = phonenumbers.national_significant_number(number)
        return {"authy_id": self.client.register_user(email, number.country_code, national)}

    def unenroll(self, person):
        if person.authy_id is not None:
            self.client.remove_user(person.authy_id)

    def send_code(self, person, via):
        self.client.send_code(person.authy_id, via)

    def check_code(self, person, code, texted):
        """One Authy call checks a texted or spoken code and the app's code alike."""
        return self.client.verify_code(person.authy_id, code)

    def has_app(self, person):
        """True when the Authy app is installed: pushes reach it, and its codes work."""
        return self.client.has_app(person.authy_id)

    def push(self, person, message, details, hidden_details, seconds):
        """Send a OneTouch request; its id."""
        return self.client.create_approval_request(
            person.authy_id, message, details, hidden_details, seconds
        )

    def push_status(self, request_id):
        """``(status, owner)`` of a OneTouch request, asked of Authy."""
        status, authy_id = self.client.approval_status(request_id)
        return status, str(authy_id)

    def owner_of(self, person):
        """How a push answer names this person (``PushAnswer.owner``)."""
        return str(person.authy_id)

    def read_push_answer(self, method, headers, raw_body, query_pairs):
        return callback.read(
            method,
            headers,
            raw_body,
            query_pairs,
            api_key=self.config.authy_api_key,
            callback_url=self.config.authy_callback_url,
            max_age=self.config.authy_callback_max_age,
            now=clock.now(),
        )

    # The Authy app is the authenticator: nothing to add, confirm or remove through us.

    def start_authenticator(self, person, label):
        raise NotFound("The Authy app is the authenticator here.")

    def confirm_authenticator(self, person, factor, code):
        raise NotFound("The Authy app is the authenticator here.")

    def remove_authenticator(self, person, factor):
        raise NotFound("The Authy app is the authenticator here.")

    @property
    def calls(self):
        return self.client.calls
