"""Bench users: signed up through the API, the phone proven on the emulator (devstack.members)."""

import concurrent.futures

from devstack import members


def sign_up(stack, count, workers=4):
    """``count`` members with the Authy app, signed up ``workers`` at a time."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda _: members.sign_up(stack, name="Bench User"), range(count)))
