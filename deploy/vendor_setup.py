"""The stage's vendor, made ready: its secrets in SSM and, for Verify, its Service.

Authy: the API key (``AUTHY_API_KEY``) goes to a SecureString. Verify: an Account SID
with its Auth Token (``TWILIO_ACCOUNT_SID`` / ``TWILIO_AUTH_TOKEN``), or an API key
(``TWILIO_API_KEY_SID`` / ``TWILIO_API_KEY_SECRET``); the secret goes to a SecureString,
the SID to a plain parameter; ``VERIFY_SERVICE_SID`` names the Service, and without one
a Service is created (FriendlyName and TOTP issuer the product's name, 6-digit codes).
Each is needed on a stage's first deploy only: later deploys reuse what is stored.
Returns what the Lambdas are given: parameter names and ids, never a secret.
"""

from chalicelib.errors import AppError
from chalicelib.vendors.verify import VerifyClient
from deploy import parameters
from deploy.errors import DeployError


def _first_deploy(setting):
    return f"run the first deploy of this stage with {setting} in the environment"


DEFAULT_VERIFY_API_URL = "https://verify.twilio.com"


def vendor_environment(ssm, stage, environ, log=print):
    """Store the stage's vendor secrets (and create its Verify Service); its Lambda settings."""
    if stage.provider == "authy":
        name = stage.parameter_name
        if parameters.ensure_secret(
            ssm, name, environ.get("AUTHY_API_KEY"), "Authy API key", _first_deploy("AUTHY_API_KEY")
        ):
            log(f"parameter {name}: Authy API key stored (SecureString)")
        return {"AUTHY_API_KEY_PARAM": name}
    if stage.provider != "verify":
        raise DeployError(f"FACTOR_PROVIDER must be authy or verify, not {stage.provider!r}")
    username, secret_setting, secret_name, secret = _twilio_credentials(ssm, stage, environ, log)
    environment = {
        "TWILIO_API_KEY_SID" if username.startswith("SK") else "TWILIO_ACCOUNT_SID": username,
        f"{secret_setting}_PARAM": secret_name,
    }
    api_url = environ.get("VERIFY_API_URL") or DEFAULT_VERIFY_API_URL
    if environ.get("VERIFY_API_URL"):
        environment["VERIFY_API_URL"] = api_url
    environment["VERIFY_SERVICE_SID"] = _service(
        ssm, stage, environ, username, secret, api_url, log
    )
    return environment


def _twilio_credentials(ssm, stage, environ, log):
    """``(username, setting, parameter name, secret)``: the API key if given, else the account."""
    key_sid, key_secret = environ.get("TWILIO_API_KEY_SID"), environ.get("TWILIO_API_KEY_SECRET")
    account_sid, token = environ.get("TWILIO_ACCOUNT_SID"), environ.get("TWILIO_AUTH_TOKEN")
    if bool(key_sid) != bool(key_secret):
        raise DeployError("give TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET together")
    if bool(account_sid) != bool(token) and not key_sid:
        raise DeployError("give TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN together")
    sid_name = stage.parameter("twilio-username")
    if key_sid or account_sid:
        username = key_sid or account_sid
        setting = "TWILIO_API_KEY_SECRET" if key_sid else "TWILIO_AUTH_TOKEN"
        secret = key_secret or token
        parameters.ensure_value(ssm, sid_name, username)
    else:
        username = parameters.ensure_value(ssm, sid_name, None)
        if username is None:
            raise DeployError(
                "no Twilio credentials: run the first deploy of this stage with "
                "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID and "
                "TWILIO_API_KEY_SECRET) in the environment"
            )
        setting = "TWILIO_API_KEY_SECRET" if username.startswith("SK") else "TWILIO_AUTH_TOKEN"
        secret = None
    name = stage.parameter(setting.lower().replace("_", "-"))
    if parameters.ensure_secret(ssm, name, secret, "Twilio secret", _first_deploy(setting)):
        log(f"parameter {name}: Twilio secret stored (SecureString)")
    if secret is None:
        secret = parameters.stored(ssm, name)[1]
    return username, setting, name, secret


def _service(ssm, stage, environ, username, secret, api_url, log):
    """The Verify Service's SID: given, stored by an earlier deploy, or created now."""
    name = stage.parameter("verify-service-sid")
    given = environ.get("VERIFY_SERVICE_SID")
    sid = parameters.ensure_value(ssm, name, given)
    if sid:
        return sid
    try:
        client = VerifyClient(username, secret, api_url=api_url)
        service = client.create_service(
            stage.product_name, code_length=6, totp_issuer=stage.product_name
        )
    except (AppError, ValueError) as error:
        raise DeployError(f"creating the Verify Service failed: {error}") from None
    parameters.ensure_value(ssm, name, service.sid)
    log(f"Verify Service {service.sid} ({service.friendly_name}) created and kept in {name}")
    return service.sid
