"""Fixtures for the deploy tests: a moto server on loopback → an AWS session pointed at it.

Every AWS call goes to the moto server through AWS_ENDPOINT_URL, which boto3 and chalice's
botocore honour natively, so the deploy code runs exactly as it does against AWS. Two
things moto lacks are played here, on the session's botocore events: CloudFront's
response headers policies (``headers_policies``), and, for chalice, the three calls
tests/deploy/moto_chalice.py adjusts (``chalice`` runs the real command through it).
``sent`` keeps what the deploy sent CloudFront, for what moto does not keep.
"""

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.awsrequest import AWSResponse

REGION = "eu-central-1"  # not us-east-1: buckets there need a LocationConstraint
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


# the app's settings and a developer's shell must not steer what chalice builds
APP_VARIABLES = re.compile(
    r"^(STAGE|TABLE_PREFIX|DYNAMODB_HOST|SITE_ORIGIN|AUTHY_.*|APP_NAME|EMAIL_FROM)$"
)
SENDER = "no-reply@login.example.com"  # its domain is a verified SES identity on moto


def tool(name):
    """A command installed beside this interpreter (the virtualenv's), else on PATH."""
    found = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    assert found, f"{name} is not installed"
    return found


def clean_environment(**extra):
    """This process's environment without the app's settings or a moto endpoint."""
    env = {k: v for k, v in os.environ.items() if not APP_VARIABLES.match(k)}
    env.pop("AWS_ENDPOINT_URL", None)
    return {**env, "AWS_DEFAULT_REGION": REGION, **extra}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url, method="GET"):
    request = urllib.request.Request(url, method=method)  # noqa: S310 - moto on loopback
    with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
        return response.status


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """A moto server for the session, on a free loopback port; its URL."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - moto's own server, run by this interpreter
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MOTO_ACM_VALIDATION_WAIT": "0"},  # certificates issued at once
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError):
            if _get(f"{endpoint}/moto-api/") == 200:
                break
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"moto server did not start; see {log.name}")
        time.sleep(0.1)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture
def aws_env(moto_endpoint, monkeypatch, tmp_path):
    """The process environment of a developer whose AWS is the (freshly reset) moto server."""
    return _moto_environment(monkeypatch, moto_endpoint, tmp_path)


def _moto_environment(patch, endpoint, tmp_path):
    _get(f"{endpoint}/moto-api/reset", method="POST")
    patch.setenv("AWS_ENDPOINT_URL", endpoint)
    for name, value in AWS_ENV.items():
        patch.setenv(name, value)
    patch.delenv("AWS_PROFILE", raising=False)
    # no ~/.aws files: nothing on this machine may steer the tests to a real account
    patch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    return dict(os.environ)


@pytest.fixture
def session(aws_env, headers_policies, sent):
    """A boto3 session for the moto server, with response headers policies played."""
    return _session(headers_policies, sent)


def _session(headers_policies, sent):
    session = boto3.session.Session(region_name=REGION)
    headers_policies.attach(session.events)
    sent.attach(session.events)
    session.client("sesv2").create_email_identity(EmailIdentity=SENDER.rpartition("@")[2])
    session.ses_account = SesAccount()  # a test may put the account in the sandbox
    session.ses_account.attach(session.events)
    return session


class SesAccount:
    """SES's GetAccount, which moto's server lacks (404): out of the sandbox, or not."""

    def __init__(self, production=True):
        self.production = production

    def attach(self, events):
        events.register("before-call.sesv2.GetAccount", self._answer)

    def _answer(self, **_):
        answer = {"ProductionAccessEnabled": self.production, "SendingEnabled": True}
        return AWSResponse("https://email.moto", 200, {}, None), answer


class HeadersPolicies:
    """CloudFront's response headers policies, which moto's server lacks (it answers 404).

    Each call is answered as CloudFront answers it; ``configs`` is what each policy is now.
    """

    OPERATIONS = (
        "ListResponseHeadersPolicies",
        "CreateResponseHeadersPolicy",
        "GetResponseHeadersPolicyConfig",
        "UpdateResponseHeadersPolicy",
        "DeleteResponseHeadersPolicy",
    )

    def __init__(self):
        self.configs = {}  # id → ResponseHeadersPolicyConfig
        self.etags = {}
        self._params = None

    def attach(self, events):
        for operation in self.OPERATIONS:
            events.register(f"before-parameter-build.cloudfront.{operation}", self._keep)
            events.register(f"before-call.cloudfront.{operation}", self._answer)

    def _keep(self, params, **_):
        self._params = dict(params)

    def _answer(self, model, **_):
        params, status = self._params, 200
        if model.name == "ListResponseHeadersPolicies":
            items = [
                {"Type": "custom", "ResponseHeadersPolicy": self._policy(policy_id)}
                for policy_id in self.configs
            ]
            answer = {"ResponseHeadersPolicyList": {"Quantity": len(items), "Items": items}}
        elif model.name == "CreateResponseHeadersPolicy":
            policy_id = f"rhp-{len(self.configs) + 1}"
            self._store(policy_id, params["ResponseHeadersPolicyConfig"])
            answer, status = {"ResponseHeadersPolicy": self._policy(policy_id)}, 201
        elif model.name == "GetResponseHeadersPolicyConfig":
            config = self.configs[params["Id"]]
            answer = {"ResponseHeadersPolicyConfig": config, "ETag": self.etags[params["Id"]]}
        elif model.name == "UpdateResponseHeadersPolicy":
            assert params["IfMatch"] == self.etags[params["Id"]], "stale ETag"
            self._store(params["Id"], params["ResponseHeadersPolicyConfig"])
            answer = {"ResponseHeadersPolicy": self._policy(params["Id"])}
        else:
            assert params["IfMatch"] == self.etags.pop(params["Id"]), "stale ETag"
            del self.configs[params["Id"]]
            answer, status = {}, 204
        return AWSResponse("https://cloudfront.moto", status, {}, None), answer

    def _store(self, policy_id, config):
        self.configs[policy_id] = config
        self.etags[policy_id] = f"E{len(self.etags) + 1}{policy_id}"

    def _policy(self, policy_id):
        return {"Id": policy_id, "ResponseHeadersPolicyConfig": self.configs[policy_id]}


@pytest.fixture
def headers_policies():
    return HeadersPolicies()


class Sent:
    """The parameters of every CloudFront call the deploy makes (as botocore validated them)."""

    def __init__(self):
        self.calls = []

    def attach(self, events):
        events.register("before-parameter-build.cloudfront.*", self._keep)

    def _keep(self, params, model, **_):
        self.calls.append((model.name, json.loads(json.dumps(params, default=str))))

    def __call__(self, operation):
        return [params for name, params in self.calls if name == operation]


@pytest.fixture
def sent():
    return Sent()


@pytest.fixture(scope="session")
def package_cache(tmp_path_factory):
    """chalice's bundle of the app and its requirements, built once for every deploy here.

    chalice names it by a hash of requirements.txt and the app's files, which every build
    shares, so a build that has it runs no pip.
    """
    import deploy.api
    from deploy.cli import deployed_policies
    from deploy.project import load_stage
    from deploy.schema import table_specs

    root = tmp_path_factory.mktemp("package-cache")
    stage = load_stage("dev")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deploy.api, "BUILD_DIR", root / "build")
        patch.setattr(deploy.api, "CHALICE_DIR", root / ".chalice")
        policies = deployed_policies(stage, table_specs(stage), None, SENDER)
        build = deploy.api.prepare(stage, {}, policies)
    done = subprocess.run(  # noqa: S603 - chalice, with fixed arguments
        [
            tool("chalice"),
            "--project-dir",
            str(build),
            "package",
            "--stage",
            "dev",
            str(root / "out"),
        ],
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return build / ".chalice" / "deployments"


@pytest.fixture
def chalice(monkeypatch, tmp_path, package_cache, aws_env):
    """The real chalice command, against the moto server; builds and state under tmp_path."""
    return _moto_chalice(monkeypatch, tmp_path, package_cache)


def _moto_chalice(patch, tmp_path, package_cache):
    import deploy.api
    from deploy.project import ROOT, STAGES

    patch.setattr(deploy.api, "BUILD_DIR", tmp_path / "build")
    patch.setattr(deploy.api, "CHALICE_DIR", tmp_path / ".chalice")
    command = [sys.executable, "-m", "tests.deploy.moto_chalice"]
    patch.setattr(deploy.api, "chalice_command", lambda: command)
    patch.setenv("PYTHONPATH", str(ROOT))
    for stage in STAGES:
        cache = tmp_path / "build" / f"chalice-{stage}" / ".chalice" / "deployments"
        shutil.copytree(package_cache, cache)
    return tmp_path


class Look:
    """A dev deploy, read back from the moto server."""

    bucket = f"twofold-dev-site-123456789012-{REGION}"

    def __init__(self, session):
        self.session = session

    def lambda_environment(self, function):
        from deploy.project import load_stage

        name = load_stage("dev").function_name(function)
        configuration = self.session.client("lambda").get_function_configuration(FunctionName=name)
        return configuration["Environment"]["Variables"]

    def role_policy(self, function):
        iam = self.session.client("iam")
        role = f"twofold-dev-{function}"  # chalice's name for the function's role
        (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
        return iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]

    def distribution(self):
        """``(id, DistributionConfig)`` of the one distribution there must be."""
        cloudfront = self.session.client("cloudfront")
        (item,) = cloudfront.list_distributions()["DistributionList"]["Items"]
        return item["Id"], cloudfront.get_distribution_config(Id=item["Id"])["DistributionConfig"]


@pytest.fixture
def look(session):
    return Look(session)


class FirstDeploy(Look):
    """One ``make deploy STAGE=dev`` on a fresh account, for tests that only look at it."""

    def __init__(self, session, urls, log, sent, headers_policies):
        super().__init__(session)
        self.urls = urls
        self.log = log
        self.sent = sent
        self.headers_policies = headers_policies


@pytest.fixture(scope="module")
def first_deploy(moto_endpoint, package_cache, tmp_path_factory):
    """``deploy.cli.up("dev")`` once per module, the real chalice included. Read only:
    tests that change AWS state use ``session`` and ``chalice`` (which reset moto)."""
    from deploy.cli import up

    tmp_path = tmp_path_factory.mktemp("first-deploy")
    headers_policies, sent, log = HeadersPolicies(), Sent(), Log()
    with pytest.MonkeyPatch.context() as patch:
        _moto_environment(patch, moto_endpoint, tmp_path)
        _moto_chalice(patch, tmp_path, package_cache)
        session = _session(headers_policies, sent)
        environ = {"AUTHY_API_KEY": "the-authy-key", "EMAIL_FROM": SENDER}
        urls = up("dev", environ=environ, session=session, log=log)
        yield FirstDeploy(session, urls, log, sent, headers_policies)


@pytest.fixture(scope="session")
def specs():
    """The dev stage's tables as MODELS declares them."""
    from deploy.project import load_stage
    from deploy.schema import table_specs

    return table_specs(load_stage("dev"))


class Log:
    """A ``log`` for the deploy functions that keeps what they said."""

    def __init__(self):
        self.lines = []

    def __call__(self, line):
        self.lines.append(line)

    def __contains__(self, text):
        return any(text in line for line in self.lines)


@pytest.fixture
def log():
    return Log()


def _deployed_state():
    from deploy.project import CHALICE_DIR

    deployed = CHALICE_DIR / "deployed"
    return {path.name: path.read_bytes() for path in sorted(deployed.glob("*"))}


@pytest.fixture(autouse=True)
def the_projects_deployed_state_is_left_alone():
    """A developer's .chalice/deployed/ records real APIs: no test may write there."""
    before = _deployed_state()
    yield
    assert _deployed_state() == before, "a test wrote to .chalice/deployed/"
