"""Authy: the REST client, the callback signature and how a callback is read."""
