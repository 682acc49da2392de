"""A local, in-memory emulator of the Authy API and Twilio Verify v2, with a control API
and a virtual phone."""

from devstack.emulator.app import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, create_app

__all__ = ["LOCAL_ACCOUNT_SID", "LOCAL_AUTH_TOKEN", "create_app"]
