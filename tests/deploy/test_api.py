"""deploy.api: the build directory chalice deploys from, and the state it leaves."""

import json
import subprocess

import pytest

import deploy.api
from deploy.api import deployed_api_url, prepare, stage_config
from deploy.errors import DeployError
from deploy.project import chalice_config, load_stage
from tests.deploy.conftest import clean_environment, tool

ENVIRONMENT = {
    "SITE_ORIGIN": "http://b.s3-website.eu-central-1.amazonaws.com",
    "AUTHY_API_KEY_PARAM": "/twofa/prod/authy-api-key",
    "AUTHY_CALLBACK_URL": "https://abc.execute-api.eu-central-1.amazonaws.com/api/authy/callback",
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
    ],
    "schema_version": "2.0",
    "backend": "api",
}


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """The build and the project's state under tmp_path, not in the repository."""
    monkeypatch.setattr(deploy.api, "BUILD_DIR", tmp_path / "build")
    monkeypatch.setattr(deploy.api, "CHALICE_DIR", tmp_path / "chalice")
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
    state = dirs / "chalice" / "deployed" / "prod.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps(STATE))
    build = prepare(stage, ENVIRONMENT, "{}")
    assert json.loads((build / ".chalice" / "deployed" / "prod.json").read_text()) == STATE
    state.unlink()
    build = prepare(stage, ENVIRONMENT, "{}")
    assert not (build / ".chalice" / "deployed" / "prod.json").exists()


def test_deployed_api_url(dirs):
    chalice_dir = dirs / "chalice"
    assert deployed_api_url("prod", chalice_dir) is None
    (chalice_dir / "deployed").mkdir(parents=True)
    (chalice_dir / "deployed" / "prod.json").write_text(json.dumps(STATE))
    assert deployed_api_url("prod", chalice_dir) == (
        "https://abc.execute-api.eu-central-1.amazonaws.com/api"
    )


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
