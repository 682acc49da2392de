"""A push's answer from the vendor's callback: drop replays, bind it, record it, and
for an approval open the session in the same write, so the page hears it over its socket.

The vendor's side (for Authy: the signature over the configured URL, checked before
anything else, and the nonce's age) is ``vendors``'; here the answer is recorded once and
only for the challenge, and the person, whose push it names. Authy turns a callback URL
off after three error answers in a row, so every authentic callback gets a 200, even a
duplicate, a late one or one for a request we don't know.
"""

import logging

from chalicelib import clock, requestlog, storage
from chalicelib.models import CallbackNonce, LoginChallenge
from chalicelib.second_step import flow, lost_callbacks, push, watchers
from chalicelib.second_step.challenge import status_of
from chalicelib.vendors import Person, vendor

log = logging.getLogger(__name__)


def handle_callback(method, headers, raw_body, query_pairs):
    """Process one push callback; return a short word for logs, or raise CallbackRejected.

    Each authentic delivery is recorded once (a replay of it is a "duplicate"): with the
    answer it brings, in the same write, or alone when it brings none we act on.
    """
    answer = vendor().read_push_answer(method, headers, raw_body, query_pairs)
    lost_callbacks.arrived()  # an authentic callback: they reach us
    delivery = CallbackNonce(
        nonce_key=answer.replay_key, ttl=clock.at(clock.now() + answer.replayable_for)
    )
    challenge, outcome = _addressee(answer)
    if challenge is None:
        first = storage.write_if(delivery.save, condition=CallbackNonce.nonce_key.does_not_exist())
        return outcome if first else push.DUPLICATE
    requestlog.note(challenge_id=challenge.challenge_id)
    if answer.status == "approved":
        refused, news = flow.approve(challenge, delivery)
    else:
        refused = push.record_result(challenge, answer.status, delivery, tell_watchers=False)
        news = {"status": status_of(challenge)}
    if refused:
        return refused
    log.info("challenge %s: push %s", challenge.challenge_id, answer.status)
    watchers.notify(challenge, news)
    return answer.status


def _addressee(answer):
    """``(challenge, None)`` when the answer is one we record; else ``(None, why not)``."""
    if answer.test:
        return None, "test"
    if answer.status not in ("approved", "denied") or answer.request_id is None:
        return None, "ignored"
    challenge = _challenge_for(answer.request_id)
    if challenge is None:
        return None, "unknown"
    if vendor().owner_of(Person.of(challenge)) != answer.owner:
        log.warning("callback for challenge %s names another user", challenge.challenge_id)
        return None, "wrong_user"
    return challenge, None


def _challenge_for(request_id):
    """The challenge that sent this push, read whole from the index (one query)."""
    for challenge in LoginChallenge.onetouch_index.query(request_id, limit=1):
        return challenge
    return None
