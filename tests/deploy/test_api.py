"""deploy.api: the build directory chalice deploys from, and the state it leaves."""

import importlib.util
import json
import pathlib
import shutil
import subprocess

import pytest

import deploy.api
from deploy.api import Endpoints, deployed_endpoints, own_policy_files, prepare, stage_config
from deploy.cli import deployed_policies
from deploy.errors import DeployError
from deploy.project import CHALICE_DIR, chalice_config, load_stage
from deploy.schema import table_specs
from tests.deploy.conftest import SENDER, clean_environment, tool

ENVIRONMENT = {
    "SITE_ORIGIN": "https://d111111abcdef8.cloudfront.net",
    "AUTHY_API_KEY_PARAM": "/twofold/prod/authy-api-key",
    "AUTHY_CALLBACK_URL": "https://abc.execute-api.eu-central-1.amazonaws.com/api/authy/callback",
    "WEBSOCKET_MANAGEMENT_URL": "https://ws1.execute-api.eu-central-1.amazonaws.com/api",
}
ALLOW_ORIGIN = "method.response.header.Access-Control-Allow-Origin"
POLICIES = {"api_handler": '{"Version": "2012-10-17"}\n', "websocket_connect": "{}\n"}
HANDLERS = {  # handler → the Lambda chalice names for it
    "app.app": "api_handler",
    "app.ws_connect": "websocket_connect",
    "app.ws_message": "websocket_message",
    "app.ws_disconnect": "websocket_disconnect",
}
STATE = {
    "resources": [
        {"name": "api_handler", "resource_type": "lambda_function", "lambda_arn": "arn:x"},
        {
            "name": "rest_api",
            "resource_type": "rest_api",
            "rest_api_id": "abc",
            "rest_api_url": "https://abc.execute-api.eu-central-1.amazonaws.com/api/",
        },
        {
            "name": "websocket_api",
            "resource_type": "websocket_api",
            "websocket_api_url": "wss://ws1.execute-api.eu-central-1.amazonaws.com/api/",
            "websocket_api_id": "ws1",
        },
    ],
    "schema_version": "2.0",
    "backend": "api",
}


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """The build and the project's state under tmp_path, not in the repository."""
    monkeypatch.setattr(deploy.api, "BUILD_DIR", tmp_path / "build")
    monkeypatch.setattr(deploy.api, "CHALICE_DIR", tmp_path / ".chalice")
    return tmp_path


def test_the_stage_gets_the_deploy_settings_and_our_policies():
    config = stage_config(chalice_config(), load_stage("prod"), ENVIRONMENT)
    prod = config["stages"]["prod"]
    assert prod["autogen_policy"] is False
    assert prod["iam_policy_file"] == "policy-prod.json"
    assert prod["lambda_functions"] == {
        "websocket_connect": {"iam_policy_file": "policy-prod-websocket_connect.json"},
        "websocket_message": {"iam_policy_file": "policy-prod-websocket_message.json"},
        "websocket_disconnect": {"iam_policy_file": "policy-prod-websocket_disconnect.json"},
    }
    assert prod["environment_variables"]["STAGE"] == "prod"  # the committed ones stay
    for name, value in ENVIRONMENT.items():
        assert prod["environment_variables"][name] == value
    assert "SITE_ORIGIN" not in json.dumps(config["stages"]["dev"])
    assert "SITE_ORIGIN" not in json.dumps(chalice_config())  # the original is untouched


@pytest.mark.parametrize("where", ["deploy", "config"])
def test_the_authy_key_itself_never_goes_to_the_lambda(where):
    config = chalice_config()
    environment = dict(ENVIRONMENT)
    if where == "config":
        config["stages"]["prod"]["environment_variables"]["AUTHY_API_KEY"] = "secret"
    else:
        environment["AUTHY_API_KEY"] = "secret"
    with pytest.raises(DeployError, match="SSM"):
        stage_config(config, load_stage("prod"), environment)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_committed_config_gives_each_websocket_handler_its_own_policy(stage):
    """chalice package uses config.json as committed: it must name the same files."""
    assert chalice_config()["stages"][stage]["lambda_functions"] == own_policy_files(stage)


def test_the_build_holds_what_chalice_ships_and_nothing_else(dirs):
    build = prepare(load_stage("prod"), ENVIRONMENT, POLICIES)
    assert build == dirs / "build" / "chalice-prod"
    shipped = {path.name for path in build.iterdir()}
    assert shipped <= {"app.py", "chalicelib", "requirements.txt", "vendor", ".chalice"}
    assert {"app.py", "chalicelib", "requirements.txt", ".chalice"} <= shipped
    assert (build / ".chalice" / "policy-prod.json").read_text() == POLICIES["api_handler"]
    assert (build / ".chalice" / "policy-prod-websocket_connect.json").read_text() == "{}\n"
    config = json.loads((build / ".chalice" / "config.json").read_text())
    assert (
        config["stages"]["prod"]["environment_variables"]["SITE_ORIGIN"]
        == (ENVIRONMENT["SITE_ORIGIN"])
    )


def test_chalicelib_ships_compiled_and_checked_against_its_sources_hash(dirs):
    """Lambda's /var/task is read-only: without these, each cold start compiles chalicelib."""
    build = prepare(load_stage("prod"), ENVIRONMENT, POLICIES)
    sources = sorted((build / "chalicelib").rglob("*.py"))
    assert len(sources) > 20
    for source in sources:
        compiled = pathlib.Path(importlib.util.cache_from_source(str(source))).read_bytes()
        assert compiled[:4] == importlib.util.MAGIC_NUMBER, source
        assert int.from_bytes(compiled[4:8], "little") == 0b11, "hash-based, and checked"
        assert compiled[8:16] == importlib.util.source_hash(source.read_bytes()), source
    # Only those: nothing of the project's own __pycache__ (stale, or timestamped) ships.
    assert len(list(build.rglob("*.pyc"))) == len(sources)


def test_the_deployed_state_goes_to_the_build_and_a_stale_one_goes_away(dirs):
    stage = load_stage("prod")
    state = dirs / ".chalice" / "deployed" / "prod.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps(STATE))
    build = prepare(stage, ENVIRONMENT, POLICIES)
    assert json.loads((build / ".chalice" / "deployed" / "prod.json").read_text()) == STATE
    state.unlink()
    build = prepare(stage, ENVIRONMENT, POLICIES)
    assert not (build / ".chalice" / "deployed" / "prod.json").exists()


def test_deployed_endpoints(dirs):
    chalice_dir = dirs / ".chalice"
    assert deployed_endpoints("prod", chalice_dir) is None
    (chalice_dir / "deployed").mkdir(parents=True)
    (chalice_dir / "deployed" / "prod.json").write_text(json.dumps(STATE))
    endpoints = deployed_endpoints("prod", chalice_dir)
    assert endpoints == Endpoints(
        api_url="https://abc.execute-api.eu-central-1.amazonaws.com/api",
        websocket_api_id="ws1",
        websocket_url="wss://ws1.execute-api.eu-central-1.amazonaws.com/api",
    )
    assert endpoints.websocket_management_url == ENVIRONMENT["WEBSOCKET_MANAGEMENT_URL"]


def test_a_stage_deployed_before_the_websocket_api_has_none(dirs):
    state = dict(STATE, resources=STATE["resources"][:2])
    (dirs / ".chalice" / "deployed").mkdir(parents=True)
    (dirs / ".chalice" / "deployed" / "prod.json").write_text(json.dumps(state))
    endpoints = deployed_endpoints("prod", dirs / ".chalice")
    assert endpoints.api_url.startswith("https://abc.")
    assert endpoints.websocket_api_id is None and endpoints.websocket_management_url is None


@pytest.mark.parametrize(
    ("where", "setting"),
    [
        ("stage", {"lambda_functions": {"websocket_message": {"iam_policy_file": "x.json"}}}),
        (  # $connect with $default's rights
            "stage",
            {
                "lambda_functions": {
                    "websocket_connect": {"iam_policy_file": "policy-prod-websocket_message.json"}
                }
            },
        ),
        (  # the right file, but for every stage
            "top",
            {
                "lambda_functions": {
                    "websocket_connect": {"iam_policy_file": "policy-prod-websocket_connect.json"}
                }
            },
        ),
        ("stage", {"lambda_functions": {"api_handler": {"autogen_policy": True}}}),
        ("top", {"lambda_functions": {"websocket_connect": {"iam_role_arn": "arn:aws:iam::1:x"}}}),
        ("stage", {"iam_role_arn": "arn:aws:iam::1:role/x", "manage_iam_role": False}),
        ("top", {"manage_iam_role": False}),
    ],
)
def test_no_lambda_may_leave_the_generated_policy(where, setting):
    config = chalice_config()
    (config["stages"]["prod"] if where == "stage" else config).update(setting)
    with pytest.raises(DeployError, match="another role or policy"):
        stage_config(config, load_stage("prod"), ENVIRONMENT)


def test_delete_runs_chalice_only_when_something_is_deployed(dirs, monkeypatch):
    ran = []
    monkeypatch.setattr(deploy.api, "_chalice", lambda *arguments: ran.append(arguments))
    assert deploy.api.delete(load_stage("prod"), "eu-central-1") is False
    (dirs / ".chalice" / "deployed").mkdir(parents=True)
    (dirs / ".chalice" / "deployed" / "prod.json").write_text(json.dumps(STATE))
    assert deploy.api.delete(load_stage("prod"), "eu-central-1") is True
    assert ran == [(dirs / "build" / "chalice-prod", "eu-central-1", "delete", "--stage", "prod")]


def _swagger(build):
    done = subprocess.run(  # noqa: S603 - chalice, with fixed arguments
        [tool("chalice"), "--project-dir", str(build), "generate-models", "--stage", "prod"],
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_without_cors_origin_api_gateway_answers_no_preflight(dirs):
    """The site calls the API on its own origin: no OPTIONS method, no CORS header."""
    swagger = _swagger(prepare(load_stage("prod"), ENVIRONMENT, POLICIES))
    assert [path for path, methods in swagger["paths"].items() if "options" in methods] == []
    assert list(_values(swagger, ALLOW_ORIGIN)) == []


def test_with_cors_origin_api_gateway_answers_preflights_for_that_origin(dirs):
    """app.py reads CORS_ORIGIN at import; chalice, run on the build, must see the stage's."""
    environment = {**ENVIRONMENT, "CORS_ORIGIN": "https://elsewhere.example"}
    swagger = _swagger(prepare(load_stage("prod"), environment, POLICIES))
    assert set(_values(swagger, ALLOW_ORIGIN)) == {"'https://elsewhere.example'"}
    assert "options" in swagger["paths"]["/login"]


def test_chalice_gives_every_lambda_of_the_build_its_settings_and_its_policy(dirs):
    """What `chalice deploy` in the build creates: four Lambdas, four roles, four policies."""
    stage = load_stage("prod")
    endpoints = Endpoints(
        api_url="https://abc.execute-api.eu-central-1.amazonaws.com/api",
        websocket_api_id="ws1",
        websocket_url="wss://ws1.execute-api.eu-central-1.amazonaws.com/api",
    )
    policies = deployed_policies(stage, table_specs(stage), endpoints, SENDER)
    build = prepare(stage, ENVIRONMENT, policies)
    cache = CHALICE_DIR / "deployments"  # chalice's bundle of requirements.txt: no pip run
    if cache.is_dir():
        shutil.copytree(cache, build / ".chalice" / "deployments", dirs_exist_ok=True)
    out = dirs / "package"
    subprocess.run(  # noqa: S603 - chalice, with fixed arguments
        [tool("chalice"), "--project-dir", str(build), "package", "--stage", "prod", str(out)],
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    resources = json.loads((out / "sam.json").read_text())["Resources"]
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    roles = [r for r in resources.values() if r["Type"] == "AWS::IAM::Role"]
    assert len(functions) == len(roles) == 4
    for function in functions:
        properties = function["Properties"]
        variables = properties["Environment"]["Variables"]
        assert {name: variables.get(name) for name in ENVIRONMENT} == ENVIRONMENT
        role = resources[properties["Role"]["Fn::GetAtt"][0]]["Properties"]
        (document,) = role["Policies"]
        assert document["PolicyDocument"] == json.loads(policies[HANDLERS[properties["Handler"]]])
    assert "arn:aws:execute-api:*:*:ws1/api/POST/@connections/*" in policies["websocket_message"]


def _values(document, key):
    """Every value of ``key`` anywhere in a JSON document."""
    if isinstance(document, dict):
        for name, value in document.items():
            if name == key:
                yield value
            yield from _values(value, key)
    elif isinstance(document, list):
        for item in document:
            yield from _values(item, key)


def test_a_deploy_from_another_python_than_the_lambda_runtime_is_refused(monkeypatch):
    deploy.api.check_runtime()  # make builds .venv on the runtime's Python
    monkeypatch.setattr(deploy.api.sys, "version_info", (3, 11, 7, "final", 0))
    with pytest.raises(DeployError, match="python3.11.*python3.12"):
        deploy.api.check_runtime()
