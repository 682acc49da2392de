"""Authy: the REST client and the callback signature."""

import functools

from chalicelib.config import settings
from chalicelib.vendors.authy.client import AuthyClient


@functools.lru_cache(maxsize=1)
def client():
    """The process-wide Authy client, built on first use (its connections are reused)."""
    config = settings()
    return AuthyClient(
        config.authy_api_url, config.authy_api_key, timeout=(2.0, config.authy_read_timeout)
    )
