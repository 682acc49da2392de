"""Recovery codes: ten, shown once, stored as digests, each good once; one unlocks a lock."""

import threading

import pytest

from chalicelib.lockout import MAX_FAILED_CODES
from chalicelib.models import AuditEvent, Session, User
from chalicelib.second_step import flow
from tests.unit.conftest import CONTEXT, SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE

RIGHT = {"email": SIGNUP["email"], "password": SIGNUP["password"]}


@pytest.fixture
def codes(api, session):
    response = api.post("/account/recovery-codes", token=session)
    assert response.status_code == 201, response.body
    return body(response)["codes"]


def use(api, challenge, code):
    return api.post("/login/recovery", {"code": code}, token=challenge["token"])


def test_ten_codes_shown_once_and_kept_only_as_digests(api, session, codes):
    assert len(codes) == len(set(codes)) == 10
    stored = User.get("ada@example.com").recovery_codes.as_dict()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in str(stored) for code in codes)
    security = body(api.get("/account/security", token=session))
    assert security["recovery_codes_left"] == 10


def test_a_code_logs_in_once_and_not_twice(api, login, codes):
    first = use(api, login(), codes[0])
    again = use(api, login(), codes[0])

    assert first.status_code == 200 and body(first)["session"]["token"]
    assert body(first)["account"]["last_login"]["method"] == "recovery_code"
    assert again.status_code == 401 and body(again)["error"]["code"] == "invalid_code"
    assert User.get("ada@example.com").last_login_method == "recovery_code"
    kinds = [event.kind for event in AuditEvent.query("ada@example.com")]
    assert kinds.count("recovery_code_used") == 1


def test_codes_are_read_in_any_case_and_spacing(api, login, codes):
    typed = codes[3].lower().replace("-", " ")
    assert use(api, login(), typed).status_code == 200


def test_the_account_page_counts_what_is_left(api, login, codes):
    session = body(use(api, login(), codes[0]))["session"]["token"]
    assert body(api.get("/account/security", token=session))["recovery_codes_left"] == 9


def test_new_codes_replace_the_old_ones(api, login, session, codes):
    newer = body(api.post("/account/recovery-codes", token=session))["codes"]
    assert use(api, login(), codes[0]).status_code == 401
    assert use(api, login(), newer[0]).status_code == 200


def test_parallel_uses_of_one_code_give_one_session(tables, login, codes):
    challenge = login()
    outcomes = []
    barrier = threading.Barrier(5)

    def spend():
        barrier.wait()
        try:
            flow.use_recovery_code(challenge["token"], codes[0], CONTEXT)
            outcomes.append("session")
        except Exception as error:  # noqa: BLE001 - the outcome is what we count
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=spend) for _ in range(5)]
    [t.start() for t in threads]
    [t.join() for t in threads]

    assert outcomes.count("session") == 1
    assert len(User.get("ada@example.com").recovery_codes.as_dict()) == 9


def test_a_recovery_code_lifts_the_account_lock(api, login, codes):
    User(email="ada@example.com").update(actions=[User.failed_codes.set(MAX_FAILED_CODES)])
    locked = login()
    assert locked["method"] == "recovery"
    refused = api.post("/login/verify", {"token": RIGHT_CODE}, token=locked["token"])
    assert body(refused)["error"]["code"] == "account_locked"

    response = use(api, locked, codes[1])

    assert response.status_code == 200
    assert User.get("ada@example.com").failed_codes == 0
    kinds = [event.kind for event in AuditEvent.query("ada@example.com")]
    assert "account_unlocked" in kinds
    assert login()["method"] == "onetouch"


def test_wrong_codes_count_on_the_challenge(api, login, codes):
    challenge = login()
    for left in (4, 3, 2, 1):
        wrong = use(api, challenge, "AAAA-AAAA-AAAA-AAAA")
        assert body(wrong)["error"]["attempts_left"] == left
    assert use(api, challenge, "AAAA-AAAA-AAAA-AAAA").status_code == 429
    assert use(api, challenge, codes[0]).status_code == 429  # locked: not even a right one
    assert len(list(Session.scan())) == 1  # the fixture's own


@pytest.mark.parametrize("typed", ["", "x" * 65, 12, None, "ABCD"])
def test_malformed_codes_are_refused_without_spending_anything(api, login, codes, typed):
    response = use(api, login(), typed)
    assert response.status_code in (400, 401)
    assert len(User.get("ada@example.com").recovery_codes.as_dict()) == 10


def test_making_codes_needs_a_fresh_second_factor(api, session, frozen_clock):
    frozen_clock.advance(11 * 60)
    response = api.post("/account/recovery-codes", token=session)
    assert response.status_code == 403 and body(response)["error"]["code"] == "step_up_required"
