"""Fixtures for the deploy tests: a moto server on loopback → an AWS session pointed at it.

Every AWS call goes to the moto server through AWS_ENDPOINT_URL, which boto3 and chalice's
botocore honour natively, so the deploy code runs exactly as it does against AWS.
"""

import contextlib
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

REGION = "eu-central-1"  # not us-east-1: buckets there need a LocationConstraint
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


# the app's settings and a developer's shell must not steer what chalice builds
APP_VARIABLES = re.compile(r"^(STAGE|TABLE_PREFIX|DYNAMODB_HOST|SITE_ORIGIN|AUTHY_.*|APP_NAME)$")


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
    _get(f"{moto_endpoint}/moto-api/reset", method="POST")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # no ~/.aws files: nothing on this machine may steer the tests to a real account
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    return dict(os.environ)


@pytest.fixture
def session(aws_env):
    return boto3.session.Session(region_name=REGION)


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
