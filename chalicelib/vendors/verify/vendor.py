"""Twilio Verify behind the vendors' face: codes by text or call, and any authenticator app.

Verify has no push without an app of our own, and no user registration: a person is
their phone number for codes, and our opaque user id (an Entity's identity) for TOTP.
docs/verify-api.md is the API as we use it.
"""

import functools

from chalicelib.errors import CodeExpired, NotFound
from chalicelib.vendors.verify.client import VerifyClient


class VerifyVendor:
    name = "verify"
    pushes = False
    offers_authenticator = True

    def __init__(self, config):
        self.config = config

    @functools.cached_property
    def client(self):
        """Made on first use, so the secret (maybe from SSM) is read only when Verify is asked."""
        config = self.config
        return VerifyClient(
            config.twilio_username,
            config.twilio_password,
            config.verify_service_sid,
            api_url=config.verify_api_url,
            timeout=(2.0, config.vendor_read_timeout),
        )

    def enroll(self, email, phone_e164):
        return {}  # nothing to register: codes go to the number, TOTP to our user id

    def unenroll(self, person):
        if person.identity:
            self.client.delete_entity(person.identity)

    def send_code(self, person, via):
        self.client.start_verification(person.phone, via)

    def check_code(self, person, code, texted):
        """The texted or spoken code when one was sent, else (or then) the app's code."""
        expired = None
        if texted:
            try:
                if self.client.check_code(person.phone, code):
                    return True
            except CodeExpired as error:  # the text's code is gone; the app's may still do
                expired = error
        if person.app_factor and self.client.check_totp(person.identity, person.app_factor, code):
            return True
        if expired is not None:
            raise expired
        return False

    def has_app(self, person):
        return bool(person.app_factor)

    def push(self, person, message, details, hidden_details, seconds):
        raise NotFound("Verify sends no pushes without an app of our own.")

    def push_status(self, request_id):
        raise NotFound("Verify sends no pushes without an app of our own.")

    def owner_of(self, person):
        return person.identity

    def read_push_answer(self, method, headers, raw_body, query_pairs):
        raise NotFound("There are no push callbacks with Verify.")

    def start_authenticator(self, person, label):
        """A new TOTP factor: its id, and the secret and otpauth URI to show once."""
        return self.client.create_totp_factor(person.identity, label)

    def confirm_authenticator(self, person, factor, code):
        return self.client.verify_totp_factor(person.identity, factor, code)

    def remove_authenticator(self, person, factor):
        self.client.delete_factor(person.identity, factor)

    @property
    def calls(self):
        return self.client.calls
