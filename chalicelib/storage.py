"""The conditional-write idiom, once: run a write, tell whether its condition held.

Every rule that must hold under parallel requests (one email per account, five codes per
challenge, one session per approval, …) is a DynamoDB condition on the write that changes
the state. A condition that fails is an ordinary outcome, so these answer True or False;
any other storage failure is raised.
"""

import functools
import time

from pynamodb.connection import Connection
from pynamodb.exceptions import (
    DeleteError,
    DoesNotExist,
    PutError,
    TransactWriteError,
    UpdateError,
)
from pynamodb.transactions import TransactWrite

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"
# DynamoDB cancels a transaction that meets another one on the same item (TransactionConflict):
# tried again, its conditions are checked against what the other one wrote.
CONFLICT_RETRIES = 2
CONFLICT_PAUSE = 0.02  # seconds, times the attempt


class Refused(Exception):
    """A transaction's writes whose conditions failed, for a caller who added them."""

    def __init__(self, names):
        super().__init__(", ".join(sorted(names)))
        self.names = frozenset(names)


def condition_failed(exc):
    """True when a write failed only because its condition (or a transaction's) did."""
    code = getattr(exc, "cause_response_code", None)
    if code == CONDITION_FAILED:
        return True
    if code == TRANSACTION_CANCELED and isinstance(exc, TransactWriteError):
        reasons = [reason for reason in exc.cancellation_reasons if reason is not None]
        return bool(reasons) and all(r.code == "ConditionalCheckFailed" for r in reasons)
    return False


def get_or_none(model, key, consistent=True):
    """The item with this hash key, or None."""
    try:
        return model.get(key, consistent_read=consistent)
    except DoesNotExist:
        return None


def write_if(write, *args, **kwargs):
    """Call ``write`` (a model's save, update or delete); False when its condition failed."""
    try:
        write(*args, **kwargs)
    except (PutError, UpdateError, DeleteError) as exc:
        if condition_failed(exc):
            return False
        raise
    return True


class Transaction:
    """Writes to several items that all happen or none does (one TransactWriteItems).

    Each write gets a name of its own (a second write under a name already taken is a
    mistake, refused at once: its refusal would be read as the first's); ``commit`` returns
    the names whose conditions failed (empty when everything was written). PynamoDB sends a
    transaction's items grouped as condition checks, deletes, puts, updates, and DynamoDB
    gives its reasons in that order.
    """

    _ORDER = ("condition_check", "delete", "save", "update")

    def __init__(self):
        self._writes = []  # (kind, name, args, kwargs)

    def save(self, name, item, condition=None):
        self._add("save", name, (item,), condition)

    def update(self, name, item, actions, condition=None):
        self._add("update", name, (item, actions), condition)

    def delete(self, name, item, condition=None):
        self._add("delete", name, (item,), condition)

    def check(self, name, model, key, condition):
        self._add("condition_check", name, (model, key), condition)

    def _add(self, kind, name, args, condition):
        if any(taken == name for _, taken, _, _ in self._writes):
            raise ValueError(f"two writes named {name!r} in one transaction")
        self._writes.append((kind, name, args, {"condition": condition}))

    def commit(self):
        """Write everything; return the set of names whose condition failed (none: done).

        A transaction cancelled only because another one wrote the same item meanwhile
        (two requests finishing one challenge together, say) is tried again, briefly.
        """
        retries = 0
        while True:
            try:
                return self._commit_once()
            except TransactWriteError as exc:
                retries += 1
                if retries > CONFLICT_RETRIES or not _conflicted(exc):
                    raise
            time.sleep(CONFLICT_PAUSE * retries)

    def _commit_once(self):
        try:
            with TransactWrite(connection=_connection()) as transaction:
                for kind, _, args, kwargs in self._writes:
                    getattr(transaction, kind)(*args, **kwargs)
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            names = [name for kind in self._ORDER for k, name, _, _ in self._writes if k == kind]
            return {
                name
                for name, reason in zip(names, exc.cancellation_reasons, strict=False)
                if reason is not None and reason.code == "ConditionalCheckFailed"
            }
        return set()


def _conflicted(exc):
    """True when a transaction was cancelled for a conflict, and for no failed condition."""
    reasons = [reason.code for reason in exc.cancellation_reasons if reason is not None]
    return "TransactionConflict" in reasons and "ConditionalCheckFailed" not in reasons


@functools.lru_cache(maxsize=1)
def _connection():
    """One connection for transactions, with the tables' endpoint, region and timeouts."""
    from chalicelib.models import TableMeta

    return Connection(
        region=TableMeta.region,
        host=TableMeta.host,
        connect_timeout_seconds=TableMeta.connect_timeout_seconds,
        read_timeout_seconds=TableMeta.read_timeout_seconds,
        max_retry_attempts=TableMeta.max_retry_attempts,
    )
