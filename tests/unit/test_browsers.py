"""Remember this browser: the right password from it skips the second step, for 30 days,
until it is forgotten or the password changes."""

from chalicelib.browsers import MAX_BROWSERS, REMEMBER_SECONDS
from chalicelib.models import RememberedBrowser, User
from tests.unit.conftest import SIGNUP, body

RIGHT = {"email": SIGNUP["email"], "password": SIGNUP["password"]}


def remember(api, session):
    response = api.post("/account/browsers", token=session)
    assert response.status_code == 201, response.body
    return body(response)


def test_a_remembered_browser_skips_the_second_step(api, session, authy):
    token = remember(api, session)["token"]
    pushes = len(authy.sent("onetouch_create"))

    answer = body(api.post("/login", {**RIGHT, "browser": token}))

    assert answer["session"]["token"] and "challenge" not in answer
    assert len(authy.sent("onetouch_create")) == pushes  # nothing reached the phone
    assert User.get("ada@example.com").last_login_method == "remembered_browser"


def test_only_a_hash_is_kept_with_the_description_ip_and_last_use(api, session):
    token = remember(api, session)["token"]
    (stored,) = RememberedBrowser.scan()
    assert token not in str(stored.attribute_values)
    assert stored.description == "Chrome on Linux" and stored.ip
    listed = body(api.get("/account/security", token=session))["browsers"]
    assert [b["description"] for b in listed] == ["Chrome on Linux"]


def test_the_token_still_needs_the_right_password(api, session):
    token = remember(api, session)["token"]
    wrong = api.post("/login", {**RIGHT, "password": "not the password", "browser": token})
    assert wrong.status_code == 401


def test_another_accounts_token_skips_nothing(api, session, signup, authy):
    token = remember(api, session)["token"]
    authy.has_app = False
    signup(email="eve@example.com")
    answer = body(api.post("/login", {**RIGHT, "email": "eve@example.com", "browser": token}))
    assert "challenge" in answer


def test_a_forgotten_browser_is_asked_again(api, session):
    remembered = remember(api, session)
    forget = api.request(
        "DELETE", f"/account/browsers/{remembered['browser']['id']}", token=session
    )

    answer = body(api.post("/login", {**RIGHT, "browser": remembered["token"]}))

    assert forget.status_code == 204 and "challenge" in answer
    assert User.get("ada@example.com").browsers == 0


def test_thirty_days_later_it_is_asked_again(api, session, frozen_clock):
    token = remember(api, session)["token"]
    frozen_clock.advance(REMEMBER_SECONDS)
    assert "challenge" in body(api.post("/login", {**RIGHT, "browser": token}))


def test_a_new_password_forgets_every_browser_and_ends_other_sessions(api, session, login):
    token = remember(api, session)["token"]
    other = body(api.post("/login", {**RIGHT, "browser": token}))["session"]["token"]
    change = {"current_password": SIGNUP["password"], "new_password": "a brand new secret"}

    assert api.post("/account/password", change, token=session).status_code == 204

    assert api.get("/account", token=session).status_code == 200  # this one goes on
    assert api.get("/account", token=other).status_code == 401
    renewed = {**RIGHT, "password": "a brand new secret", "browser": token}
    assert "challenge" in body(api.post("/login", renewed))
    assert list(RememberedBrowser.scan()) == []
    assert api.post("/login", RIGHT).status_code == 401  # the old password is gone


def test_a_wrong_current_password_changes_nothing(api, session):
    change = {"current_password": "not the password", "new_password": "a brand new secret"}
    response = api.post("/account/password", change, token=session)
    assert response.status_code == 401
    assert body(response)["error"]["fields"] == {"current_password": "is not right"}
    assert api.post("/login", RIGHT).status_code == 200


def test_ten_browsers_at_most(api, session):
    for _ in range(MAX_BROWSERS):
        remember(api, session)
    response = api.post("/account/browsers", token=session)
    assert response.status_code == 409 and body(response)["error"]["code"] == "too_many_browsers"


def test_remembering_needs_a_fresh_second_factor(api, session, frozen_clock):
    frozen_clock.advance(11 * 60)
    assert api.post("/account/browsers", token=session).status_code == 403


def test_a_locked_account_is_not_skipped_through(api, session):
    token = remember(api, session)["token"]
    User(email="ada@example.com").update(actions=[User.failed_codes.set(100)])
    answer = body(api.post("/login", {**RIGHT, "browser": token}))
    assert answer["challenge"]["method"] == "recovery"
