"""Build the emulator's Flask app: the Authy API, Verify v2, the control API and the phone."""

import time

from flask import Flask, jsonify, request

from devstack.emulator import verify_errors
from devstack.emulator.authenticator_api import authenticator_api
from devstack.emulator.authy_api import authy_api
from devstack.emulator.control_api import control_api
from devstack.emulator.emulator import Emulator
from devstack.emulator.errors import for_status
from devstack.emulator.mail import SentMail
from devstack.emulator.phone import phone_page
from devstack.emulator.verify_api import verify_api
from devstack.emulator.verify_control import verify_control
from devstack.emulator.verify_factors_api import verify_factors_api

DEFAULT_APP_NAME = "Twofold"
# Not secrets: the emulator's own Twilio account, which exists on loopback only.
LOCAL_ACCOUNT_SID = "AC" + "0" * 32
LOCAL_AUTH_TOKEN = "local-auth-token"  # noqa: S105


def create_app(
    api_key,
    callback_url=None,
    callback_method="POST",
    app_installed_default=True,
    clock=time.time,
    app_name=DEFAULT_APP_NAME,
    twilio_credentials=(LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN),
    aws_url=None,
):
    """A fresh emulator with its own in-memory state; ``clock`` drives every expiry.

    ``twilio_credentials`` (account SID, auth token) are what Verify's Basic auth wants;
    ``aws_url`` is the stack's moto server, whose SES sent mail the mailbox shows.
    """
    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False
    app.extensions["emulator"] = Emulator(
        api_key,
        callback_url,
        callback_method,
        app_installed_default,
        clock,
        app_name,
        twilio_credentials,
        SentMail(aws_url),
    )
    app.register_blueprint(authy_api)
    app.register_blueprint(verify_api)
    app.register_blueprint(verify_factors_api)
    app.register_blueprint(control_api)
    app.register_blueprint(verify_control)
    app.register_blueprint(authenticator_api)
    app.register_blueprint(phone_page)
    app.register_error_handler(404, _http_error)
    app.register_error_handler(405, _http_error)
    return app


def _http_error(error):
    """Authy's error shape on its paths, Twilio's on Verify's, the control API's elsewhere."""
    if request.path.startswith(("/protected/", "/onetouch/")):
        return for_status(error.code).response()
    if request.path.startswith("/v2/"):
        if error.code == 404:
            return verify_errors.not_found(request.path).response()
        return verify_errors.for_status(error.code).response()
    response = jsonify(error=error.description)
    response.status_code = error.code
    return response
