"""A push's answer from the vendor's callback: drop replays, bind it, record it.

The vendor's side (for Authy: the signature over the configured URL, checked before
anything else, and the nonce's age) is ``vendors``'; here the answer is recorded once and
only for the challenge, and the person, whose push it names. Authy turns a callback URL
off after three error answers in a row, so every authentic callback gets a 200, even a
duplicate, a late one or one for a request we don't know.
"""

import logging

from chalicelib import clock, requestlog, storage
from chalicelib.models import CallbackNonce, LoginChallenge
from chalicelib.second_step import push
from chalicelib.vendors import Person, vendor

log = logging.getLogger(__name__)


def handle_callback(method, headers, raw_body, query_pairs):
    """Process one push callback; return a short word for logs, or raise CallbackRejected."""
    answer = vendor().read_push_answer(method, headers, raw_body, query_pairs)
    if not _first_time(answer):
        return "duplicate"
    return _apply(answer)


def _first_time(answer):
    """Record the authentic delivery; False when it was recorded before (a replay)."""
    record = CallbackNonce(
        nonce_key=answer.replay_key, ttl=clock.at(clock.now() + answer.replayable_for)
    )
    return storage.write_if(record.save, condition=CallbackNonce.nonce_key.does_not_exist())


def _apply(answer):
    if answer.test:
        return "test"
    if answer.status not in ("approved", "denied") or answer.request_id is None:
        return "ignored"
    challenge = _challenge_for(answer.request_id)
    if challenge is None:
        return "unknown"
    if vendor().owner_of(Person.of(challenge)) != answer.owner:
        log.warning("callback for challenge %s names another user", challenge.challenge_id)
        return "wrong_user"
    requestlog.note(challenge_id=challenge.challenge_id)
    if not push.record_result(challenge, answer.status):
        return "late"
    log.info("challenge %s: push %s", challenge.challenge_id, answer.status)
    return answer.status


def _challenge_for(request_id):
    """The challenge that sent this push, read whole from the index (one query)."""
    for challenge in LoginChallenge.onetouch_index.query(request_id, limit=1):
        return challenge
    return None
