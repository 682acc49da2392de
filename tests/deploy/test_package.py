"""`chalice package --stage prod`: what ships, the template, and the zip running on its own.

The package is built once per session from the project itself (chalice runs pip to bundle
requirements.txt for Lambda's platform, from the configured package index). That it will
import on Lambda is shown twice: every compiled wheel in it is tagged for a glibc no newer
than the runtime's, and the same versions, installed again from the index for Lambda's
platform alone (no wheel built here, none for a newer glibc), make a passkey and log in
with it in a clean interpreter.
"""

import json
import re
import subprocess
import sys
import zipfile

import pytest

from deploy.policy import lambda_policies
from deploy.project import LAMBDA_GLIBC, LAMBDA_RUNTIME, ROOT, load_stage
from deploy.schema import table_specs
from deploy.tables import ensure_tables
from devstack.lambda_events import rest_event
from tests.deploy.conftest import REGION, SENDER, clean_environment, tool
from tests.deploy.iam import assert_least_privilege

NEVER_SHIPPED = ("devstack/", "tests/", "static_site/", "deploy/", ".chalice/", "build/")
SITE_ORIGIN = "https://site.example.test"
OWN_CODE = ("chalicelib/", "chalice/")
FUNCTION_NAMES = {  # handler → the Lambda chalice names for it
    "app.app": "api_handler",
    "app.ws_connect": "websocket_connect",
    "app.ws_message": "websocket_message",
    "app.ws_disconnect": "websocket_disconnect",
}
HANDLERS = {  # handler → the WebSocket route key it serves (None: the REST API)
    "app.app": None,
    "app.ws_connect": "$connect",
    "app.ws_message": "$default",
    "app.ws_disconnect": "$disconnect",
}


@pytest.fixture(scope="session")
def package(tmp_path_factory):
    """``chalice package --stage prod`` of the project, once: the output directory."""
    out = tmp_path_factory.mktemp("package") / "out"
    done = subprocess.run(  # noqa: S603 - chalice, with fixed arguments
        [tool("chalice"), "--project-dir", str(ROOT), "package", "--stage", "prod", str(out)],
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="session")
def names(package):
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        return archive.namelist()


@pytest.fixture(scope="session")
def template(package):
    return json.loads((package / "sam.json").read_text())


def _requirements():
    pins = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins.append((re.sub(r"[-_.]+", "_", name).lower(), version))
    return pins


def test_the_zip_holds_the_app_and_chalicelib(names):
    assert "app.py" in names
    assert "chalicelib/__init__.py" in names and "chalicelib/models.py" in names
    shipped = {name for name in names if name.startswith("chalicelib/") and name.endswith(".py")}
    on_disk = {path.relative_to(ROOT).as_posix() for path in (ROOT / "chalicelib").rglob("*.py")}
    assert shipped == on_disk


def test_the_zip_holds_every_runtime_requirement(names):
    dist_infos = {name.split("/")[0].lower() for name in names if ".dist-info/" in name}
    for name, version in _requirements():
        assert f"{name}-{version}.dist-info" in dist_infos, name


def test_nothing_else_of_the_project_ships(names):
    leaked = [name for name in names if name.startswith(NEVER_SHIPPED)]
    assert leaked == []
    assert not [name for name in names if name.startswith(("pytest", "moto/", "playwright"))]


def test_the_template_passes_cfn_lint(package):
    done = subprocess.run(  # noqa: S603 - cfn-lint on our template
        [tool("cfn-lint"), str(package / "sam.json")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _resources(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_there_is_a_function_for_the_rest_api_and_each_websocket_route(template):
    handlers = {
        f["Properties"]["Handler"]
        for f in _resources(template, "AWS::Serverless::Function").values()
    }
    assert handlers == set(HANDLERS)


def test_every_role_has_exactly_its_functions_least_privilege_policy(template):
    """chalice gives each Lambda a role of its own; each must carry its generated policy."""
    stage = load_stage("prod")
    generated = lambda_policies(stage, table_specs(stage))
    roles = _resources(template, "AWS::IAM::Role")
    used = set()
    for function in _resources(template, "AWS::Serverless::Function").values():
        role_name, attribute = function["Properties"]["Role"]["Fn::GetAtt"]
        assert attribute == "Arn"
        used.add(role_name)
        role = roles[role_name]["Properties"]
        assert set(role) == {"AssumeRolePolicyDocument", "Policies"}, "no managed policies"
        (policy,) = role["Policies"]
        name = FUNCTION_NAMES[function["Properties"]["Handler"]]
        assert policy["PolicyDocument"] == generated[name], (
            f"{name} does not run with its .chalice/policy-prod*.json: the prod stage in "
            ".chalice/config.json needs autogen_policy false and its lambda_functions entries"
        )
        assert_least_privilege(policy["PolicyDocument"])
    assert used == set(roles)


def test_the_websocket_api_routes_each_key_to_its_handler(template):
    (api_name, api), *more = _resources(template, "AWS::ApiGatewayV2::Api").items()
    assert more == []
    assert api["Properties"]["ProtocolType"] == "WEBSOCKET"
    integrations = _resources(template, "AWS::ApiGatewayV2::Integration")
    functions = _resources(template, "AWS::Serverless::Function")
    routed = {}
    for route in _resources(template, "AWS::ApiGatewayV2::Route").values():
        properties = route["Properties"]
        assert properties["ApiId"] == {"Ref": api_name}
        _, (prefix, integration) = properties["Target"]["Fn::Join"]
        assert prefix == "integrations"
        uri = integrations[integration["Ref"]]["Properties"]["IntegrationUri"]["Fn::Sub"][1]
        function = functions[uri["WebsocketHandler"]["Ref"]]
        routed[properties["RouteKey"]] = function["Properties"]["Handler"]
    assert routed == {key: handler for handler, key in HANDLERS.items() if key}


def test_the_websocket_api_is_deployed_to_the_stage_its_arn_names(template):
    (stage,) = _resources(template, "AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["StageName"] == load_stage("prod").api_gateway_stage
    url = template["Outputs"]["WebsocketConnectEndpointURL"]["Value"]["Fn::Sub"]
    assert url.startswith("wss://${WebsocketAPI}.execute-api.${AWS::Region}.")


def test_the_function_reads_the_key_from_ssm(template):
    functions = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"
    ]
    assert functions
    for function in functions:
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables.get("AUTHY_API_KEY_PARAM") == "/twofold/prod/authy-api-key", (
            "the prod stage in .chalice/config.json must name the parameter"
        )
        assert variables["STAGE"] == "prod" and variables["TABLE_PREFIX"] == "twofold-prod"
        assert "AUTHY_API_KEY" not in variables


def test_every_function_runs_on_the_runtime_the_wheels_were_chosen_for(template):
    functions = _resources(template, "AWS::Serverless::Function").values()
    assert {function["Properties"]["Runtime"] for function in functions} == {LAMBDA_RUNTIME}


def _glibc(platform):
    """(2, 28) for ``manylinux_2_28_x86_64`` or ``manylinux2014_x86_64`` (2.17); None for any."""
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    if platform == "any":
        return None
    match = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", platform)
    if match:
        return int(match[1]), int(match[2])
    match = re.fullmatch(r"(manylinux\w+?)_x86_64", platform)
    assert match and match[1] in legacy, f"a wheel for {platform} is not for Lambda"
    return legacy[match[1]]


def test_every_compiled_wheel_in_the_zip_is_for_the_runtimes_glibc_or_older(package):
    """A wheel pip built here (linux_x86_64) or one for a newer glibc fails on Lambda."""
    newest = {}
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        for name in archive.namelist():
            if name.endswith(".dist-info/WHEEL"):
                text = archive.read(name).decode()
                tags = re.findall(r"^Tag: \S+-\S+-(\S+)$", text, re.MULTILINE)
                glibcs = [_glibc(platform) for platform in tags]
                newest[name.split("-")[0]] = min(glibcs) if None not in glibcs else None
    compiled = {dist: glibc for dist, glibc in newest.items() if glibc is not None}
    assert {"cbor2", "cryptography", "cffi", "argon2_cffi_bindings"} <= set(compiled)
    assert {dist for dist, glibc in compiled.items() if glibc > LAMBDA_GLIBC} == set()
    assert compiled["cbor2"] == (2, 28)  # why python3.11, on glibc 2.26, was left behind


@pytest.fixture(scope="session")
def unpacked(package, tmp_path_factory):
    """The zip unpacked next to a virtualenv that has nothing installed: its python."""
    where = tmp_path_factory.mktemp("lambda")
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        archive.extractall(where / "task")
    subprocess.run(  # noqa: S603 - the standard library's venv
        [sys.executable, "-m", "venv", "--without-pip", str(where / "venv")], check=True
    )
    return where / "venv" / "bin" / "python", where / "task"


def _shipped(names):
    """``name==version`` of every distribution the zip holds."""
    dists = {name.split("/")[0] for name in names if name.split("/")[0].endswith(".dist-info")}
    return sorted("==".join(dist.removesuffix(".dist-info").split("-", 1)) for dist in dists)


@pytest.fixture(scope="session")
def lambda_platform_site(names, tmp_path_factory):
    """The zip's distributions installed again from the index, as wheels for Lambda's
    platform alone (CPython 3.12, manylinux up to the runtime's glibc): the directory."""
    site = tmp_path_factory.mktemp("lambda-platform") / "site"
    minors = range(17, LAMBDA_GLIBC[1] + 1)
    platforms = [f"--platform=manylinux_2_{minor}_x86_64" for minor in minors]
    done = subprocess.run(  # noqa: S603 - pip, with fixed arguments and the zip's pins
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary=:all:",
            "--implementation=cp",
            f"--python-version={LAMBDA_RUNTIME.removeprefix('python')}",
            *platforms,
            "--platform=manylinux2014_x86_64",
            f"--target={site}",
            *_shipped(names),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def test_the_runtimes_own_wheels_make_a_passkey_and_log_in_with_it(
    package, unpacked, lambda_platform_site, tmp_path
):
    python, _ = unpacked
    # The app's files and chalice's runtime (which chalice adds itself, with no wheel):
    # every other package comes from the site.
    code = tmp_path / "code"
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        ours = [n for n in archive.namelist() if n == "app.py" or n.startswith(OWN_CODE)]
        archive.extractall(code, members=ours)
    env = clean_environment(
        STAGE="prod",
        SITE_ORIGIN=SITE_ORIGIN,
        EMAIL_FROM=SENDER,
        AUTHY_API_KEY="not-a-real-key",
        AUTHY_CALLBACK_URL="https://abc.execute-api.eu-central-1.amazonaws.com/api/authy/callback",
        AWS_REGION=REGION,
    )
    done = subprocess.run(  # noqa: S603 - the clean virtualenv's python
        [
            str(python),
            "-I",
            str(ROOT / "tests" / "deploy" / "lambda_passkey.py"),
            str(code),
            str(lambda_platform_site),
            str(ROOT / "tests" / "unit"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["sign_count"] == 1
    assert answer["at_cold_start"] == [], "the passkey library is imported on first use only"
    files = answer["files"]
    assert files["app"].startswith(str(code)) and files["chalicelib"].startswith(str(code))
    for module in ("webauthn", "cbor2", "cbor2._cbor2", "cryptography", "OpenSSL"):
        assert files[module].startswith(str(lambda_platform_site)), module
    assert files["cbor2._cbor2"].endswith(".so")  # the compiled part, not a fallback


def test_unpacked_in_a_clean_virtualenv_it_answers_a_login(unpacked, aws_env, session):
    python, task = unpacked
    ensure_tables(session.client("dynamodb"), table_specs(load_stage("prod")), log=lambda _: 0)
    env = clean_environment(
        STAGE="prod",
        TABLE_PREFIX="twofold-prod",
        DYNAMODB_HOST=aws_env["AWS_ENDPOINT_URL"],
        AUTHY_API_URL="https://127.0.0.1:9",  # the discard port: Authy is never reached
        AUTHY_API_KEY="not-a-real-key",
        AUTHY_CALLBACK_URL="https://abc.execute-api.eu-central-1.amazonaws.com/api/authy/callback",
        SITE_ORIGIN=SITE_ORIGIN,
        EMAIL_FROM=SENDER,
        AWS_REGION=REGION,
    )
    event = rest_event(
        "POST",
        "/login",
        {"email": "nobody@example.com", "password": "not the password"},
        source_ip="203.0.113.7",
        agent="Mozilla/5.0 Firefox/133",
    )
    done = subprocess.run(  # noqa: S603 - the clean virtualenv's python
        [str(python), "-I", str(ROOT / "tests" / "deploy" / "lambda_invoke.py"), str(task)],
        input=json.dumps(event),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["chalicelib"].startswith(str(task))
    assert answer["pynamodb"].startswith(str(task))
    assert answer["pytest_importable"] is False
    response = answer["response"]
    assert response["statusCode"] == 401, response
    assert json.loads(response["body"])["error"]["code"] == "invalid_credentials"
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in headers  # no CORS_ORIGIN, no CORS
