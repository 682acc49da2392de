"""The account-wide lock after 100 wrong codes holds on every way a challenge can end."""

import threading

from chalicelib.lockout import MAX_FAILED_CODES
from chalicelib.models import AuditEvent, Session, User
from chalicelib.second_step import flow
from tests.unit.conftest import CONTEXT, SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE

RIGHT = {"email": SIGNUP["email"], "password": SIGNUP["password"]}
WRONG_CODE = "7654321"


def wrong_codes_so_far(count):
    """The account's count of wrong codes in a row, as earlier challenges left it."""
    User(email="ada@example.com").update(actions=[User.failed_codes.set(count)])


def verify(api, challenge, typed):
    return api.post("/login/verify", {"token": typed}, token=challenge["token"])


def lock_with(api, challenge):
    """Spend the account's last wrong codes from ``challenge``; return the locking answer."""
    left = MAX_FAILED_CODES - User.get("ada@example.com").failed_codes
    for _ in range(left - 1):
        assert verify(api, challenge, WRONG_CODE).status_code == 401
    return verify(api, challenge, WRONG_CODE)


def test_the_locking_code_says_so_and_is_audited_once(api, login):
    wrong_codes_so_far(MAX_FAILED_CODES - 2)
    challenge = login()

    locking = lock_with(api, challenge)
    again = verify(api, challenge, WRONG_CODE)

    assert locking.status_code == again.status_code == 403
    assert body(locking)["error"]["code"] == body(again)["error"]["code"] == "account_locked"
    kinds = [event.kind for event in AuditEvent.query("ada@example.com")]
    assert kinds.count("account_locked") == 1


def test_a_challenge_open_at_the_lock_asks_the_vendor_nothing_and_gets_no_session(
    api, login, authy
):
    wrong_codes_so_far(MAX_FAILED_CODES - 3)
    challenge = login()
    assert lock_with(api, challenge).status_code == 403
    checks = len(authy.sent("verify"))

    right = verify(api, challenge, RIGHT_CODE)

    assert right.status_code == 403 and body(right)["error"]["code"] == "account_locked"
    assert len(authy.sent("verify")) == checks  # not one more guess reached the vendor
    assert User.get("ada@example.com").failed_codes == MAX_FAILED_CODES  # nor unlocked it
    assert list(Session.scan()) == []
    assert body(api.post("/login", RIGHT))["challenge"]["method"] == "recovery"  # codes only


def test_an_approved_push_on_a_locked_account_gives_no_session(api, login, authy, send_callback):
    wrong_codes_so_far(MAX_FAILED_CODES - 1)
    challenge = login()
    assert challenge["method"] == "onetouch"
    assert verify(api, challenge, WRONG_CODE).status_code == 403

    assert send_callback(authy.last_uuid(), 1000, "approved").status_code == 200
    status = api.get("/login/status", token=challenge["token"])

    assert status.status_code == 403 and body(status)["error"]["code"] == "account_locked"
    assert list(Session.scan()) == []
    assert User.get("ada@example.com").failed_codes == MAX_FAILED_CODES


def test_the_status_poll_that_asks_authy_itself_is_refused_too(api, login, authy, frozen_clock):
    wrong_codes_so_far(MAX_FAILED_CODES - 1)
    challenge = login()
    assert verify(api, challenge, WRONG_CODE).status_code == 403
    authy.approvals[authy.last_uuid()]["status"] = "approved"  # the callback never came
    frozen_clock.advance(10)

    status = api.get("/login/status", token=challenge["token"])

    assert body(status)["error"]["code"] == "account_locked"
    assert list(Session.scan()) == []


def test_parallel_guesses_never_pass_the_account_count(tables, login, authy):
    wrong_codes_so_far(MAX_FAILED_CODES - 2)
    challenge = login()
    outcomes = []
    barrier = threading.Barrier(5)

    def guess():
        barrier.wait()
        try:
            flow.verify(challenge["token"], WRONG_CODE, CONTEXT)
        except Exception as error:  # noqa: BLE001 - the outcome is what we count
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=guess) for _ in range(5)]
    [t.start() for t in threads]
    [t.join() for t in threads]

    assert len(authy.sent("verify")) == 2  # the three that found the count full never asked
    assert outcomes.count("AccountLocked") >= 3 and set(outcomes) <= {
        "AccountLocked",
        "InvalidCode",
    }
    assert User.get("ada@example.com").failed_codes == MAX_FAILED_CODES


def test_a_right_code_under_the_limit_resets_the_count(api, login):
    wrong_codes_so_far(MAX_FAILED_CODES - 1)
    challenge = login()

    assert verify(api, challenge, RIGHT_CODE).status_code == 200

    assert User.get("ada@example.com").failed_codes == 0


def test_a_vendor_failure_gives_the_reserved_check_back(api, login, authy):
    wrong_codes_so_far(MAX_FAILED_CODES - 1)
    challenge = login()
    authy.fail["verify"] = 503

    assert verify(api, challenge, RIGHT_CODE).status_code == 503

    assert User.get("ada@example.com").failed_codes == MAX_FAILED_CODES - 1
    authy.fail.clear()
    assert verify(api, challenge, RIGHT_CODE).status_code == 200
