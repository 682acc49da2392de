"""``make unlock STAGE=… EMAIL=…``: an operator lifts an account's wrong-code lock.

The stage's models name their tables when imported (PynamoDB reads ``Meta.table_name``
then), so the unlock runs in a child process given the stage's STAGE and TABLE_PREFIX, as
``deploy.schema`` reads the tables; ``python -m deploy.unlock EMAIL`` is that child. It
goes through ``chalicelib.lockout.unlock``, so the count is reset exactly as a recovery
code resets it, and the account's activity shows an ``account_unlocked`` event.
"""

import os
import subprocess
import sys

from deploy.errors import DeployError
from deploy.project import ROOT, load_stage

NO_SUCH_ACCOUNT = 3


def unlock(stage_name, email, environ=None, log=print):
    """Reset ``email``'s wrong-code count on ``stage_name``; DeployError if no such account."""
    stage = load_stage(stage_name)
    environ = os.environ if environ is None else environ
    env = {key: value for key, value in environ.items() if key != "DYNAMODB_HOST"}
    env.update(STAGE=stage.name, TABLE_PREFIX=stage.table_prefix)
    done = subprocess.run(  # noqa: S603 - our own module, run by this interpreter
        [sys.executable, "-m", "deploy.unlock", email.strip().lower()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == NO_SUCH_ACCOUNT:
        raise DeployError(f"{stage_name} has no account {email!r}")
    if done.returncode != 0:
        raise DeployError(f"unlock failed:\n{done.stderr.strip()}")
    log(f"{email}: unlocked on {stage_name} (recorded in the account's activity)")


def main(argv):
    from chalicelib import lockout

    if not lockout.unlock(argv[0], by="operator"):
        sys.exit(NO_SUCH_ACCOUNT)


if __name__ == "__main__":
    main(sys.argv[1:])
