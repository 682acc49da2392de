"""Build the emulator's Flask app: the Authy API, the control API and the phone page."""

import time

from flask import Flask, jsonify, request

from devstack.emulator.authy_api import authy_api
from devstack.emulator.control_api import control_api
from devstack.emulator.emulator import Emulator
from devstack.emulator.errors import for_status
from devstack.emulator.phone import phone_page

DEFAULT_APP_NAME = "Twofold"


def create_app(
    api_key,
    callback_url=None,
    callback_method="POST",
    app_installed_default=True,
    clock=time.time,
    app_name=DEFAULT_APP_NAME,
):
    """A fresh emulator with its own in-memory state; ``clock`` drives every expiry."""
    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False
    app.extensions["emulator"] = Emulator(
        api_key, callback_url, callback_method, app_installed_default, clock, app_name
    )
    app.register_blueprint(authy_api)
    app.register_blueprint(control_api)
    app.register_blueprint(phone_page)
    app.register_error_handler(404, _http_error)
    app.register_error_handler(405, _http_error)
    return app


def _http_error(error):
    """Authy's error shape on its own paths, the control API's elsewhere."""
    if request.path.startswith(("/protected/", "/onetouch/")):
        return for_status(error.code).response()
    response = jsonify(error=error.description)
    response.status_code = error.code
    return response
