"""The sender of the stage's email (EMAIL_FROM), checked in SES before anything is deployed.

Without a verified identity SES refuses every send, and an address no one can prove is
released after 24 hours: every new account would be deleted a day later. So the deploy
stops unless SES (in the deploy's region, where the Lambdas send from) knows the address
or its domain as verified. In SES's sandbox only verified recipients get mail, the same
trouble for real people: ``prod`` refuses to deploy there, other stages are warned.
"""

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import PRODUCTION, check_sender
from chalicelib.errors import ConfigurationError
from deploy.errors import DeployError
from deploy.project import chalice_config, lambda_environment

HOW = "verify the domain in SES and leave its sandbox (README: Email), then deploy again"


def sender_of(stage, environ):
    """EMAIL_FROM from the command (``make deploy EMAIL_FROM=…``), else the stage's
    ``environment_variables``; a bare address."""
    configured = lambda_environment(chalice_config(), stage.name).get("EMAIL_FROM")
    value = (environ.get("EMAIL_FROM") or configured or "").strip()
    if not value:
        raise DeployError(
            "EMAIL_FROM is required: the address the stage's emails come from, e.g. "
            "make deploy STAGE=dev EMAIL_FROM=no-reply@login.example.com"
        )
    try:
        return check_sender(value)
    except ConfigurationError as error:
        raise DeployError(str(error)) from None


def check_identity(ses, stage, address, log):
    """Stop unless SES may send from ``address`` here; say what it sends as."""
    domain = address.rpartition("@")[2]
    for name in (address, domain):
        try:
            identity = ses.get_email_identity(EmailIdentity=name)
        except ses.exceptions.NotFoundException:
            continue
        if identity.get("VerifiedForSendingStatus") or identity.get("VerificationStatus") == (
            "SUCCESS"
        ):
            log(f"SES: {name} is verified; the stage's emails come from {address}")
            break
        status = identity.get("VerificationStatus", "not verified")
        raise DeployError(f"SES knows {name} but it is {status}, not verified: {HOW}")
    else:
        raise DeployError(f"SES has no identity for {address} or {domain} here: {HOW}")
    _check_sandbox(ses, stage, log)


def _check_sandbox(ses, stage, log):
    try:
        production = ses.get_account().get("ProductionAccessEnabled")
    except (BotoCoreError, ClientError) as error:
        log(
            f"note: SES's account settings could not be read ({error}); check that it is out "
            "of the sandbox, or only verified addresses get email"
        )
        return
    if production:
        return
    words = (
        "SES is in its sandbox in this region: it sends only to verified addresses, so "
        "people signing up get no email and their accounts are released after 24 hours"
    )
    if stage.name == PRODUCTION:
        raise DeployError(f"{words}. Request production access (README: Email).")
    log(f"note: {words}; fine for testing, not for {PRODUCTION}.")
