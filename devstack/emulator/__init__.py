"""A local, in-memory emulator of the Authy API, with a control API and a virtual phone."""

from devstack.emulator.app import create_app

__all__ = ["create_app"]
