"""The whole local stack as real processes: DynamoDB and SES (moto), the emulator (Authy
and Verify v2, the phone and the mailbox), ``chalice local``, the WebSocket gateway and the
static site, on loopback ports.

    with Stack() as stack:          # free ports; Stack(provider="verify") for Verify
        requests.post(stack.api_url + "/signup", json=...)
        stack.emulator.approve(...)

Leaving the ``with`` block stops every process it started, process groups and all.
"""

import json
import os
import pathlib
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

from chalicelib.errors import AppError
from chalicelib.vendors.verify import VerifyClient
from devstack import site
from devstack.emulator import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN
from devstack.emulator_client import EmulatorControl
from devstack.processes import HOST, Child, StackError, check_port_free, free_port

ROOT = pathlib.Path(__file__).resolve().parents[1]
STAGE = "local"
TABLE_PREFIX = "twofold-local"
EMULATOR_API_KEY = "local-emulator-key"  # not a secret: only the emulator knows it
APP_NAME = "Twofold (local)"
# Where the local stack's emails come from; SES on moto knows the domain, as SES must.
EMAIL_FROM = "no-reply@twofold.localhost"
PROVIDERS = ("authy", "verify")
VERIFY_SERVICE_NAME = "Twofold (local)"
START_SECONDS = 60
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
# Settings that would send the local API somewhere real if config.json overrode them.
MUST_COME_FROM_STACK = (
    "AUTHY_API_URL",
    "AUTHY_API_KEY",
    "AUTHY_CALLBACK_URL",
    "DYNAMODB_HOST",
    "TABLE_PREFIX",
    "SITE_ORIGIN",
    "WEBSOCKET_MANAGEMENT_URL",
    "FACTOR_PROVIDER",
    "VERIFY_API_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "VERIFY_SERVICE_SID",
    "EDGE_SECRET",
    "EMAIL_FROM",
    "AWS_ENDPOINT_URL_SESV2",
)
# Inherited settings that could point a local process at a real vendor: never passed on.
NOT_INHERITED = ("AWS_", "AUTHY_", "TWILIO_", "VERIFY_", "FACTOR_PROVIDER")

__all__ = ["Stack", "StackError"]


class Stack:
    """Start DynamoDB, the emulator, the API, the WebSocket gateway and the site.

    None ports mean free ones. ``provider`` is the vendor the API is told to use
    (``FACTOR_PROVIDER``): ``authy``, or ``verify``, for which the stack creates a Verify
    Service in the emulator at start, as ``make deploy`` does when given no SID.
    ``count_dynamodb`` puts a counting proxy (``devstack.dynamodb_counter``) between the
    API and DynamoDB, for the benchmark.
    """

    def __init__(
        self,
        site_port=None,
        api_port=None,
        emulator_port=None,
        dynamodb_port=None,
        log_dir=None,
        project_dir=ROOT,
        ws_port=None,
        ws_connections_port=None,
        count_dynamodb=False,
        provider="authy",
    ):
        if provider not in PROVIDERS:
            raise StackError(
                f"the provider must be one of {', '.join(PROVIDERS)}, not {provider!r}"
            )
        self.provider = provider
        self.verify_service_sid = None
        self.project_dir = pathlib.Path(project_dir)
        self.ports = {
            "site": site_port,
            "api": api_port,
            "emulator": emulator_port,
            "dynamodb": dynamodb_port,
            "ws": ws_port,
            "ws_connections": ws_connections_port,
        }
        if count_dynamodb:
            self.ports["dynamodb_counter"] = None
        self._given_log_dir = log_dir
        self.log_dir = None
        # What the site server shows the API, as CloudFront does (chalicelib/context.py).
        self.edge_secret = secrets.token_urlsafe(32)
        self.children = []
        self.emulator = None

    # the URLs, once ports are known

    @property
    def site_url(self):
        """The site's origin, by name: the pages call the API on it, at /api (SITE_ORIGIN)."""
        return site.public_url(self.ports["site"])

    @property
    def site_api_url(self):
        """The API as the pages call it: through the site's origin, as through CloudFront."""
        return f"{self.site_url}/api"

    @property
    def api_url(self):
        return f"http://{HOST}:{self.ports['api']}"

    @property
    def emulator_url(self):
        return f"http://{HOST}:{self.ports['emulator']}"

    @property
    def dynamodb_url(self):
        return f"http://{HOST}:{self.ports['dynamodb']}"

    @property
    def phone_url(self):
        return f"{self.emulator_url}/phone"

    @property
    def ws_url(self):
        """Where the site's pages open their WebSocket (config.js ``wsUrl``)."""
        return f"ws://{HOST}:{self.ports['ws']}"

    @property
    def ws_management_url(self):
        """The @connections endpoint the handlers post to (WEBSOCKET_MANAGEMENT_URL)."""
        return f"http://{HOST}:{self.ports['ws_connections']}"

    @property
    def dynamodb_counter_url(self):
        """The counting proxy in front of DynamoDB, or None when not counting."""
        if "dynamodb_counter" not in self.ports:
            return None
        return f"http://{HOST}:{self.ports['dynamodb_counter']}"

    def environment(self):
        """What the API and the table setup see: local endpoints and fake AWS credentials.

        With provider ``verify``, VERIFY_SERVICE_SID joins once the Service exists.
        """
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(NOT_INHERITED) and name != "PYTHONPATH"
        }
        env.update(FAKE_AWS)
        env.update(
            STAGE=STAGE,
            TABLE_PREFIX=TABLE_PREFIX,
            DYNAMODB_HOST=self.dynamodb_counter_url or self.dynamodb_url,
            AUTHY_API_URL=self.emulator_url,
            AUTHY_API_KEY=EMULATOR_API_KEY,
            AUTHY_CALLBACK_URL=f"{self.api_url}/authy/callback",
            SITE_ORIGIN=self.site_url,
            EDGE_SECRET=self.edge_secret,
            WEBSOCKET_MANAGEMENT_URL=self.ws_management_url,
            APP_NAME=APP_NAME,
            EMAIL_FROM=EMAIL_FROM,
            # botocore's own setting for one service: SES goes to moto, nothing else moves
            AWS_ENDPOINT_URL_SESV2=self.dynamodb_url,
            # chalice local reports every client as 127.0.0.1: one address for everyone.
            PER_IP_LIMIT_FACTOR="100",
            VENDOR_READ_TIMEOUT="2",  # the emulator answers in milliseconds; hangs are faults
            PYTHONUNBUFFERED="1",
            FACTOR_PROVIDER=self.provider,
        )
        if self.provider == "verify":
            env.update(
                VERIFY_API_URL=self.emulator_url,
                TWILIO_ACCOUNT_SID=LOCAL_ACCOUNT_SID,
                TWILIO_AUTH_TOKEN=LOCAL_AUTH_TOKEN,
            )
            if self.verify_service_sid:
                env["VERIFY_SERVICE_SID"] = self.verify_service_sid
        return env

    # starting and stopping

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        """Start everything and wait until each part answers; on failure stop what started."""
        self._choose_ports()
        env = self.environment()
        _check_chalice_config(self.project_dir, env)
        self._make_log_dir()
        deadline = time.monotonic() + START_SECONDS
        try:
            commands = self._commands(env)
            self._start(commands, ("dynamodb", "emulator", "dynamodb_counter"), env)
            if self.provider == "verify":
                env = self._with_verify_service(deadline)
            self._start(commands, ("api", "websockets", "site"), env)
            self._child("dynamodb").wait_until_answering(f"{self.dynamodb_url}/", deadline)
            if self.dynamodb_counter_url:
                self._child("dynamodb_counter").wait_until_answering(
                    f"{self.dynamodb_counter_url}/_counter/stats", deadline
                )
            self._create_tables(env, deadline)
            self._verify_sender()
            for name, url in (
                ("emulator", f"{self.emulator_url}/emulator/stats"),
                ("api", f"{self.api_url}/"),
                ("websockets", f"{self.ws_management_url}/stats"),
                ("site", f"{self.site_url}/config.js"),
            ):
                self._child(name).wait_until_answering(url, deadline)
        except BaseException:
            self.stop(keep_logs=True)
            raise
        self.emulator = EmulatorControl(self.emulator_url)

    def _choose_ports(self):
        for what, port in self.ports.items():
            if port is None:
                self.ports[what] = free_port()
            else:
                check_port_free(port, what)
        if len(set(self.ports.values())) != len(self.ports):
            raise StackError(f"every part needs its own port, got {self.ports}")

    def _make_log_dir(self):
        if self._given_log_dir is None:
            self.log_dir = pathlib.Path(tempfile.mkdtemp(prefix="devstack-logs-"))
        else:
            self.log_dir = pathlib.Path(self._given_log_dir)
            self.log_dir.mkdir(parents=True, exist_ok=True)

    def _with_verify_service(self, deadline):
        """Create the Verify Service the API will use, once the emulator answers."""
        self._child("emulator").wait_until_answering(
            f"{self.emulator_url}/emulator/stats", deadline
        )
        client = VerifyClient(LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, api_url=self.emulator_url)
        try:
            self.verify_service_sid = client.create_service(VERIFY_SERVICE_NAME).sid
        except AppError as exc:
            raise StackError(f"creating the Verify service in the emulator failed: {exc}") from None
        finally:
            client.transport.http.session.close()
        return self.environment()

    def _start(self, commands, names, env):
        for name in names:
            if name in commands:
                log_path = self.log_dir / f"{name}.log"
                self.children.append(Child(name, commands[name], env, self.project_dir, log_path))

    def _commands(self, env):
        python = sys.executable
        chalice = pathlib.Path(python).parent / "chalice"
        if not chalice.is_file():
            raise StackError(f"{chalice} is missing: install requirements-dev.txt (make run does)")
        commands = {
            "dynamodb": [  # moto: DynamoDB and SES (devstack/aws.py adds the sent mail)
                python,
                "-m",
                "devstack.aws",
                "-H",
                HOST,
                "-p",
                str(self.ports["dynamodb"]),
            ],
            "emulator": [
                *(python, "-m", "devstack.emulator"),
                *("--port", str(self.ports["emulator"]), "--api-key", EMULATOR_API_KEY),
                *("--callback-url", env["AUTHY_CALLBACK_URL"], "--app-name", APP_NAME),
                *("--aws-url", self.dynamodb_url),
            ],
            "api": [
                *(str(chalice), "local", "--stage", STAGE, "--host", HOST),
                *("--port", str(self.ports["api"]), "--no-autoreload"),
            ],
            "websockets": [
                *(python, "-m", "devstack.websocket_gateway", "--stage", STAGE),
                *("--ws-port", str(self.ports["ws"])),
                *("--connections-port", str(self.ports["ws_connections"])),
            ],
            "site": [
                *(python, "-m", "devstack.site", "--port", str(self.ports["site"])),
                *("--api-url", self.api_url, "--ws-url", self.ws_url),
            ],
        }
        if self.dynamodb_counter_url:
            commands["dynamodb_counter"] = [
                *(python, "-m", "devstack.dynamodb_counter"),
                *("--port", str(self.ports["dynamodb_counter"]), "--target", self.dynamodb_url),
            ]
        return commands

    def _child(self, name):
        return next(child for child in self.children if child.name == name)

    def _create_tables(self, env, deadline):
        script = "from chalicelib.models import create_tables; create_tables()"
        try:
            done = subprocess.run(  # noqa: S603 - a fixed command
                [sys.executable, "-c", script],
                cwd=self.project_dir,
                env=env,
                capture_output=True,
                text=True,
                timeout=max(1.0, deadline - time.monotonic()),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise StackError("creating the DynamoDB tables took too long") from None
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-15:])
            raise StackError(f"creating the DynamoDB tables failed:\n{tail}")

    def _verify_sender(self):
        """Make EMAIL_FROM's domain a verified SES identity on moto, as the deploy requires."""
        import botocore.session

        client = botocore.session.get_session().create_client(
            "sesv2",
            region_name=FAKE_AWS["AWS_REGION"],
            endpoint_url=self.dynamodb_url,
            aws_access_key_id=FAKE_AWS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
        )
        try:
            client.create_email_identity(EmailIdentity=EMAIL_FROM.rpartition("@")[2])
        except Exception as exc:  # noqa: BLE001 - any failure means the stack cannot mail
            raise StackError(f"verifying {EMAIL_FROM} in SES on moto failed: {exc}") from None
        finally:
            client.close()

    def stop(self, keep_logs=False):
        """Stop every process started, newest first; a temporary log folder goes too."""
        if self.emulator is not None:
            self.emulator.session.close()
            self.emulator = None
        while self.children:
            self.children.pop().stop()
        if self._given_log_dir is None and self.log_dir is not None and not keep_logs:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def failed_child(self):
        """The first child that is no longer running, if any (for ``run`` to notice)."""
        return next((child for child in self.children if not child.alive()), None)


def _needed(env, name):
    if name == "VERIFY_SERVICE_SID":
        return "the one it creates in the emulator"
    return repr(env[name]) if name in env else "it unset"


def _check_chalice_config(project_dir, env):
    """Refuse to start if config.json would override a local endpoint.

    ``chalice local`` copies the stage's ``environment_variables`` over the process
    environment, so a value there wins over the stack's; for AUTHY_API_URL that would
    make the local API call the real Authy.
    """
    config_path = project_dir / ".chalice" / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StackError(f"cannot read {config_path}: {exc}") from None
    stage = config.get("stages", {}).get(STAGE)
    if stage is None:
        raise StackError(f"{config_path} has no stage {STAGE!r} for chalice local")
    merged = {**config.get("environment_variables", {}), **stage.get("environment_variables", {})}
    clashes = [
        f"{name}={merged[name]!r} (the stack needs {_needed(env, name)})"
        for name in MUST_COME_FROM_STACK
        if name in merged and merged[name] != env.get(name)
    ]
    if clashes:
        raise StackError(
            f"{config_path} sets {', '.join(clashes)} for stage {STAGE!r}; chalice local "
            "lets config.json win over the environment, so move these to the cloud stages"
        )
