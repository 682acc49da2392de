"""Twilio Verify v2: our own small REST client (the ``twilio`` package never ships)."""

from chalicelib.vendors.verify.client import Service, TotpFactor, Verification, VerifyClient
from chalicelib.vendors.verify.transport import DEFAULT_API_URL

__all__ = ["DEFAULT_API_URL", "Service", "TotpFactor", "Verification", "VerifyClient"]
