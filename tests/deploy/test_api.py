"""deploy.api: the build directory chalice deploys from, and the state it leaves."""

import json
import shutil
import subprocess

import pytest

import deploy.api
from deploy.api import Endpoints, deployed_endpoints, prepare, stage_config
from deploy.cli import deployed_policy
from deploy.errors import DeployError
from deploy.project import CHALICE_DIR, chalice_config, load_stage
from deploy.schema import table_specs
from tests.deploy.conftest import clean_environment, tool

ENVIRONMENT = {
    "SITE_ORIGIN": "http://b.s3-website.eu-central-1.amazonaws.com",
    "AUTHY_API_KEY_PARAM": "/twofold/prod/authy-api-key",
    "AUTHY_CALLBACK_URL": "https://abc.execute-api.eu-central-1.amazonaws.com/api/authy/callback",
    "WEBSOCKET_MANAGEMENT_URL": "https://ws1.execute-api.eu-central-1.amazonaws.com/api",
}
ALLOW_ORIGIN = "method.response.header.Access-Control-Allow-Origin"
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


def test_the_stage_gets_the_deploy_settings_and_our_policy():
    config = stage_config(chalice_config(), load_stage("prod"), ENVIRONMENT)
    prod = config["stages"]["prod"]
    assert prod["autogen_policy"] is False
    assert prod["iam_policy_file"] == "policy-prod.json"
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


def test_the_build_holds_what_chalice_ships_and_nothing_else(dirs):
    build = prepare(load_stage("prod"), ENVIRONMENT, '{"Version": "2012-10-17"}\n')
    assert build == dirs / "build" / "chalice-prod"
    shipped = {path.name for path in build.iterdir()}
    assert shipped <= {"app.py", "chalicelib", "requirements.txt", "vendor", ".chalice"}
    assert {"app.py", "chalicelib", "requirements.txt", ".chalice"} <= shipped
    assert not list(build.rglob("__pycache__"))
    assert (build / ".chalice" / "policy-prod.json").read_text() == '{"Version": "2012-10-17"}\n'
    config = json.loads((build / ".chalice" / "config.json").read_text())
    assert (
        config["stages"]["prod"]["environment_variables"]["SITE_ORIGIN"]
        == (ENVIRONMENT["SITE_ORIGIN"])
    )


def test_the_deployed_state_goes_to_the_build_and_a_stale_one_goes_away(dirs):
    stage = load_stage("prod")
    state = dirs / ".chalice" / "deployed" / "prod.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps(STATE))
    build = prepare(stage, ENVIRONMENT, "{}")
    assert json.loads((build / ".chalice" / "deployed" / "prod.json").read_text()) == STATE
    state.unlink()
    build = prepare(stage, ENVIRONMENT, "{}")
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
    assert ran == [(dirs, "eu-central-1", "delete", "--stage", "prod")]


def test_api_gateway_answers_preflights_for_the_site_origin_it_was_given(dirs):
    """app.py reads SITE_ORIGIN at import; chalice, run on the build, must see the stage's."""
    build = prepare(load_stage("prod"), ENVIRONMENT, "{}")
    done = subprocess.run(  # noqa: S603 - chalice, with fixed arguments
        [tool("chalice"), "--project-dir", str(build), "generate-models", "--stage", "prod"],
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    origins = set(_values(json.loads(done.stdout), ALLOW_ORIGIN))
    assert origins == {f"'{ENVIRONMENT['SITE_ORIGIN']}'"}


def test_chalice_gives_every_lambda_of_the_build_its_settings_and_the_deployed_policy(dirs):
    """What `chalice deploy` in the build creates: four Lambdas, four roles, one policy."""
    stage = load_stage("prod")
    endpoints = Endpoints(
        api_url="https://abc.execute-api.eu-central-1.amazonaws.com/api",
        websocket_api_id="ws1",
        websocket_url="wss://ws1.execute-api.eu-central-1.amazonaws.com/api",
    )
    policy = deployed_policy(stage, table_specs(stage), endpoints)
    build = prepare(stage, ENVIRONMENT, policy)
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
        variables = function["Properties"]["Environment"]["Variables"]
        assert {name: variables.get(name) for name in ENVIRONMENT} == ENVIRONMENT
    for role in roles:
        (document,) = role["Properties"]["Policies"]
        assert document["PolicyDocument"] == json.loads(policy)
    assert "arn:aws:execute-api:*:*:ws1/api/POST/@connections/*" in policy


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
