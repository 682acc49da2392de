"""The HTTP routes. Each reads the request, calls one chalicelib function, returns a dict."""

import functools
import logging
import os
import time

from chalice import Chalice, CORSConfig, Response
from pynamodb.exceptions import PynamoDBException

from chalicelib import requestlog
from chalicelib.errors import (
    AppError,
    BodyTooLarge,
    ConfigurationError,
    NotConfigured,
    StorageUnavailable,
)
from chalicelib.headers import API_HEADERS
from chalicelib.validation import MAX_BODY_BYTES, Form, json_object, verification_code

# Each route imports the chalicelib modules it uses when it first runs, not here, so a
# cold start loads what its first request's route uses: a login needs nearly all of
# chalicelib (not the password reset), the WebSocket functions, which import this file
# too, about a third of it. tests/deploy/code_reach.py reads these imports where they are.

app = Chalice(app_name="twofold")
app.log.setLevel(logging.INFO)
app.experimental_feature_flags.update(["WEBSOCKETS"])
requestlog.configure()

# The site calls the API on its own origin (/api/...), so no route answers cross-origin
# unless CORS_ORIGIN names a site hosted elsewhere. API Gateway answers the preflights
# itself, from this config, at deploy time; so it is read at import (config.py checks it).
CORS = (
    CORSConfig(
        allow_origin=os.environ["CORS_ORIGIN"].strip().rstrip("/"),
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
    if os.environ.get("CORS_ORIGIN")
    else False
)
MAX_BEARER = 256


def _error_response(error):
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
    return Response(body=error.body(), status_code=error.status, headers=headers)


def translating_errors(view):
    """Turn the domain's exceptions into JSON errors: the one place that does it."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except AppError as error:
            return _error_response(error)
        except PynamoDBException:
            app.log.exception("storage failed")
            return _error_response(StorageUnavailable())
        except ConfigurationError as error:
            app.log.error("configuration: %s", error)
            return _error_response(NotConfigured())

    return wrapper


def route(path, **options):
    """``app.route`` with our error translation (and CORS, when CORS_ORIGIN is set)."""

    def register(view):
        return app.route(path, cors=CORS, **options)(translating_errors(view))

    return register


@app.middleware("http")
def house_rules(event, get_response):
    """One log line per request; no caching, no sniffing; Chalice's errors in our shape.

    A body over 16 KB is refused here, before any route reads or parses it.
    """
    started = time.perf_counter()
    requestlog.start()
    if len(event.raw_body or b"") > MAX_BODY_BYTES:
        response = _error_response(BodyTooLarge())
    else:
        response = get_response(event)
    route = (event.context or {}).get("resourcePath", "?")
    requestlog.finish(
        route, event.method, response.status_code, (time.perf_counter() - started) * 1000
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(API_HEADERS)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
        response.body = {
            "error": {"code": _snake(body["Code"]), "message": body.get("Message", "")}
        }
    return response


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _body():
    return json_object(app.current_request.raw_body)


def _bearer():
    header = app.current_request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_BEARER:
        return None
    return token


def _context():
    from chalicelib.context import from_request

    return from_request(app.current_request)


@route("/signup", methods=["POST"])
def signup():
    from chalicelib import accounts
    from chalicelib.second_step import flow

    name, email, password, phone = accounts.read_signup(_body())
    user = accounts.sign_up(name, email, password, phone, _context())
    return Response(body=flow.start(user, "signup", _context()), status_code=201)


@route("/login", methods=["POST"])
def login():
    from chalicelib import accounts
    from chalicelib.second_step import flow

    email, password, browser = accounts.read_credentials(_body())
    user, failures = accounts.authenticate(email, password, _context())
    return _with_account(flow.log_in(user, _context(), browser, failures))


@route("/login/status", methods=["GET"])
def login_status():
    """The challenge's status; the answer that brings the session brings the account."""
    from chalicelib.second_step import flow

    return _with_account(flow.poll(_bearer()))


def _with_account(answer):
    """An answer that hands out a session, with the account page (``account``, as GET
    /account has it) so the page shows it without asking again. The session is written by
    then, so whatever fails while building the page only leaves ``account`` out: the page
    asks GET /account itself, which answers as it can (401 if the account has just been
    released)."""
    if "session" in answer:
        from chalicelib import accounts, sessions

        try:
            session = sessions.resolve_session(answer["session"]["token"])
            answer["account"] = accounts.page(session, _context())
        except Exception as error:  # noqa: BLE001 - the login stands without its page
            app.log.warning("no account page with the session: %s", type(error).__name__)
    return answer


@route("/login/token", methods=["POST"])
def login_token():
    from chalicelib.second_step import code

    form = Form(_body())
    via = form.choice("via", ("sms", "call"))
    form.check()
    return code.send_code(_bearer(), via, _context())


@route("/login/verify", methods=["POST"])
def login_verify():
    from chalicelib.second_step import flow

    form = Form(_body())
    typed = verification_code(form)
    form.check()
    return _with_account(flow.verify(_bearer(), typed, _context()))


@route("/login/recovery", methods=["POST"])
def login_recovery():
    from chalicelib.second_step import flow

    form = Form(_body())
    typed = form.text("code", max_len=64)
    form.check()
    return _with_account(flow.use_recovery_code(_bearer(), typed, _context()))


@route("/login/passkey/options", methods=["POST"])
def login_passkey_options():
    from chalicelib.second_step import flow

    return flow.passkey_options(_bearer(), _context())


@route("/login/passkey", methods=["POST"])
def login_passkey():
    from chalicelib.second_step import flow, passkey

    ceremony, credential = passkey.read_answer(_body())
    return _with_account(flow.use_passkey(_bearer(), ceremony, credential, _context()))


def _session_and_user():
    from chalicelib import accounts, sessions

    session = sessions.resolve_session(_bearer())
    return session, accounts.user_of(session, _context())


def _freshly_proven_user():
    """The session's account, for a security change: 403 ``step_up_required`` unless the
    session proved a second factor in the last ten minutes."""
    from chalicelib import security

    session, user = _session_and_user()
    security.require_fresh(session)
    return user


@route("/account/security", methods=["GET"])
def account_security():
    from chalicelib import security

    session, user = _session_and_user()
    return security.overview(user, session.proven_at)


@route("/account/step-up", methods=["POST"])
def account_step_up():
    from chalicelib.second_step import flow

    session, user = _session_and_user()
    return Response(body=flow.step_up(user, session, _context()), status_code=201)


@route("/account/recovery-codes", methods=["POST"])
def account_recovery_codes():
    from chalicelib.second_step import recovery

    user = _freshly_proven_user()
    return Response(body={"codes": recovery.renew(user, _context())}, status_code=201)


@route("/account/password", methods=["POST"])
def account_password():
    from chalicelib import security

    current, new = security.read_password_change(_body())
    session, user = _session_and_user()
    security.change_password(user, session, current, new, _context())
    return Response(body="", status_code=204)


@route("/account/authenticator", methods=["POST"])
def account_add_authenticator():
    from chalicelib.second_step import authenticator

    user = _freshly_proven_user()
    return Response(body=authenticator.begin(user), status_code=201)


@route("/account/authenticator/confirm", methods=["POST"])
def account_confirm_authenticator():
    from chalicelib.second_step import authenticator

    form = Form(_body())
    typed = verification_code(form, "code")
    form.check()
    user = _freshly_proven_user()
    authenticator.confirm(user, typed, _context())
    return Response(body="", status_code=204)


@route("/account/authenticator", methods=["DELETE"])
def account_remove_authenticator():
    from chalicelib.second_step import authenticator

    user = _freshly_proven_user()
    authenticator.remove(user, _context())
    return Response(body="", status_code=204)


@route("/account/passkeys/options", methods=["POST"])
def account_passkey_options():
    from chalicelib.second_step import passkey

    user = _freshly_proven_user()
    return passkey.registration_options(user, _context())


@route("/account/passkeys", methods=["POST"])
def account_add_passkey():
    from chalicelib.second_step import passkey

    ceremony, credential, name = passkey.read_new(_body())
    user = _freshly_proven_user()
    answer = passkey.add(user, ceremony, credential, name, _context())
    return Response(body=answer, status_code=201)


@route("/account/passkeys/{passkey_id}", methods=["DELETE"])
def account_remove_passkey(passkey_id):
    from chalicelib.second_step import passkey

    passkey_id = passkey.read_id(passkey_id)
    user = _freshly_proven_user()
    passkey.remove(user, passkey_id, _context())
    return Response(body="", status_code=204)


@route("/account/browsers", methods=["POST"])
def account_remember_browser():
    from chalicelib import browsers

    user = _freshly_proven_user()
    return Response(body=browsers.remember(user.email, _context()), status_code=201)


@route("/account/browsers/{browser_id}", methods=["DELETE"])
def account_forget_browser(browser_id):
    from chalicelib import browsers

    _, user = _session_and_user()  # a session of this account, not of a released one
    browsers.forget(user.email, browser_id, _context())
    return Response(body="", status_code=204)


@route("/account", methods=["GET"])
def account():
    """The whole account page in one answer: the account, its security and its activity."""
    from chalicelib import accounts, sessions

    return accounts.page(sessions.resolve_session(_bearer()), _context())


@route("/account/email/resend", methods=["POST"])
def account_email_resend():
    from chalicelib import email_proof

    _, user = _session_and_user()
    email_proof.resend(user, _context())
    return {"sent": True}


@route("/email/prove", methods=["POST"])
def email_prove():
    from chalicelib import email_proof

    return email_proof.prove(email_proof.read_link(_body()), _context())


@route("/email/release", methods=["POST"])
def email_release():
    from chalicelib import email_proof

    return email_proof.release(email_proof.read_link(_body()), _context())


@route("/password/forgot", methods=["POST"])
def password_forgot():
    from chalicelib import password_reset

    email = password_reset.read_forgot(_body())
    return Response(body=password_reset.forgot(email, _context()), status_code=202)


@route("/password/reset", methods=["POST"])
def password_reset_():
    from chalicelib import password_reset

    token, new = password_reset.read_reset(_body())
    password_reset.reset(token, new, _context())
    return Response(body="", status_code=204)


@route("/account/activity", methods=["GET"])
def account_activity():
    from chalicelib import accounts

    _, user = _session_and_user()
    return accounts.activity(user)


@route("/logout", methods=["POST"])
def logout():
    from chalicelib import sessions

    sessions.log_out(_bearer(), _context())
    return Response(body="", status_code=204)


@app.route("/authy/callback", methods=["POST", "GET"])
@translating_errors
def authy_callback():
    from chalicelib.second_step import callback

    request = app.current_request
    pairs = []
    if request.query_params:
        params = request.query_params
        pairs = [(key, value) for key in params for value in params.getlist(key)]
    outcome = callback.handle_callback(request.method, request.headers, request.raw_body, pairs)
    requestlog.note(outcome=outcome)
    return {"ok": True}


@app.on_ws_connect()
def ws_connect(event):
    """Accept sockets from the site's own pages only."""
    from chalicelib.second_step import watchers

    if not watchers.origin_allowed(event.to_dict().get("headers")):
        return {"statusCode": 403}
    return {"statusCode": 200}


@app.on_ws_message()
def ws_message(event):
    """The page's one message: which challenge it is waiting on."""
    from chalicelib.second_step import watchers

    watchers.watch(event.connection_id, event.body)


@app.on_ws_disconnect()
def ws_disconnect(event):
    """Nothing to forget: a closed socket's id stays on its challenge, which ends soon,
    and a post to it just answers "gone"."""
