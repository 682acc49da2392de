"""deploy.cli: `up` and `destroy` end to end on a moto server, chalice's process faked.

moto cannot take chalice's Swagger 2.0 import (ImportRestApi), so running the chalice
command is the one thing replaced here: the fake reads the build deploy.api laid out and
records what chalice would have, as chalice does. tests/deploy/test_package.py and
test_api.py check what chalice builds from a project and from the build.
"""

import json

import pytest

import deploy.api
from deploy import cli
from deploy.errors import DeployError
from deploy.policy import lambda_policy, policy_file
from deploy.project import load_stage
from deploy.schema import table_specs

API_URL = "https://abc123.execute-api.eu-central-1.amazonaws.com/api"
WS_ID = "ws4567"
WS_URL = f"wss://{WS_ID}.execute-api.eu-central-1.amazonaws.com/api"
MANAGEMENT_URL = f"https://{WS_ID}.execute-api.eu-central-1.amazonaws.com/api"
BUCKET = "twofold-dev-site-123456789012-eu-central-1"
SITE_ORIGIN = f"http://{BUCKET}.s3-website.eu-central-1.amazonaws.com"
REST_API = {
    "name": "rest_api",
    "resource_type": "rest_api",
    "rest_api_id": "abc123",
    "rest_api_url": f"{API_URL}/",
}
WEBSOCKET_API = {
    "name": "websocket_api",
    "resource_type": "websocket_api",
    "websocket_api_url": f"{WS_URL}/",
    "websocket_api_id": WS_ID,
}


class FakeChalice:
    """The chalice command as deploy.api runs it: what each deploy found in its build."""

    def __init__(self, resources=(REST_API, WEBSOCKET_API)):
        self.resources = list(resources)
        self.deploys = []
        self.deleted = []

    def __call__(self, project_dir, region, command, option, stage):
        chalice_dir = project_dir / ".chalice"
        state = chalice_dir / "deployed" / f"{stage}.json"
        if command == "deploy":
            settings = json.loads((chalice_dir / "config.json").read_text())["stages"][stage]
            policy = (chalice_dir / settings["iam_policy_file"]).read_text()
            self.deploys.append({"env": settings["environment_variables"], "policy": policy})
            resources = self.resources
        else:
            self.deleted.append(stage)
            resources = []
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps({"resources": resources, "schema_version": "2.0"}))


@pytest.fixture
def chalice(monkeypatch, tmp_path):
    """The fake chalice, with the build and the deployed state under tmp_path."""
    monkeypatch.setattr(deploy.api, "BUILD_DIR", tmp_path / "build")
    monkeypatch.setattr(deploy.api, "CHALICE_DIR", tmp_path / ".chalice")
    fake = FakeChalice()
    monkeypatch.setattr(deploy.api, "_chalice", fake)
    return fake


def _up(session, log, key="the-authy-key"):
    return cli.up("dev", environ={"AUTHY_API_KEY": key} if key else {}, session=session, log=log)


def _policy(websocket_api_id):
    stage = load_stage("dev")
    return lambda_policy(stage, table_specs(stage), websocket_api_id=websocket_api_id)


def test_first_up_deploys_twice_to_give_the_lambdas_what_the_new_apis_are(session, chalice, log):
    urls = _up(session, log)
    assert urls == {
        "api": API_URL,
        "websocket": WS_URL,
        "site": SITE_ORIGIN,
        "callback": f"{API_URL}/authy/callback",
    }
    first, second = chalice.deploys
    # fails closed until the second deploy: no callback URL, no socket push, no right to push
    assert not {"AUTHY_CALLBACK_URL", "WEBSOCKET_MANAGEMENT_URL"} & set(first["env"])
    assert json.loads(first["policy"]) == _policy(None)
    assert second["env"]["SITE_ORIGIN"] == SITE_ORIGIN
    assert second["env"]["AUTHY_API_KEY_PARAM"] == "/twofold/dev/authy-api-key"
    assert second["env"]["AUTHY_CALLBACK_URL"] == f"{API_URL}/authy/callback"
    assert second["env"]["WEBSOCKET_MANAGEMENT_URL"] == MANAGEMENT_URL
    assert json.loads(second["policy"]) == _policy(WS_ID)
    committed = policy_file("dev").read_text()
    assert second["policy"] == committed.replace("__WEBSOCKET_API_ID__", WS_ID)


def test_a_stage_deployed_before_the_websocket_api_gets_it_in_two_runs(session, chalice, log):
    chalice.resources = [REST_API]
    _up(session, log)
    chalice.resources = [REST_API, WEBSOCKET_API]
    chalice.deploys.clear()
    _up(session, log, key=None)
    first, second = chalice.deploys
    assert first["env"]["AUTHY_CALLBACK_URL"] == f"{API_URL}/authy/callback"
    assert "WEBSOCKET_MANAGEMENT_URL" not in first["env"]
    assert second["env"]["WEBSOCKET_MANAGEMENT_URL"] == MANAGEMENT_URL
    assert json.loads(second["policy"]) == _policy(WS_ID)


def test_chalice_replacing_a_new_api_stops_the_deploy(session, chalice, log, monkeypatch):
    calls = []

    def replacing(project_dir, region, command, option, stage):
        calls.append(command)
        other = dict(WEBSOCKET_API, websocket_api_id=f"other{len(calls)}")
        chalice.resources = [REST_API, other]
        FakeChalice.__call__(chalice, project_dir, region, command, option, stage)

    monkeypatch.setattr(deploy.api, "_chalice", replacing)
    with pytest.raises(DeployError, match="replaced"):
        _up(session, log)


def test_up_provisions_tables_key_and_site(session, chalice, log, specs):
    _up(session, log)
    tables = session.client("dynamodb").list_tables()["TableNames"]
    assert sorted(tables) == sorted(spec.name for spec in specs)
    ssm = session.client("ssm")
    parameter = ssm.get_parameter(Name="/twofold/dev/authy-api-key", WithDecryption=True)
    assert parameter["Parameter"]["Type"] == "SecureString"
    s3 = session.client("s3")
    config = s3.get_object(Bucket=BUCKET, Key="config.js")
    assert config["CacheControl"] == "no-cache"
    assert config["Body"].read() == f'export const config = {{wsUrl: "{WS_URL}"}};\n'.encode()


def test_up_again_deploys_once_and_needs_no_key(session, chalice, log):
    _up(session, log)
    chalice.deploys.clear()
    urls = _up(session, log, key=None)
    (again,) = chalice.deploys
    assert again["env"]["AUTHY_CALLBACK_URL"] == urls["callback"]
    assert again["env"]["WEBSOCKET_MANAGEMENT_URL"] == MANAGEMENT_URL
    assert json.loads(again["policy"]) == _policy(WS_ID)


def test_up_without_any_authy_key_stops_before_chalice(session, chalice, log):
    with pytest.raises(DeployError, match="AUTHY_API_KEY"):
        _up(session, log, key=None)
    assert chalice.deploys == []


def test_destroy_keeps_tables_and_key_unless_asked(session, chalice, log, specs):
    _up(session, log)
    cli.destroy("dev", session=session, log=log)
    assert chalice.deleted == ["dev"]  # chalice delete: the Lambdas, roles and both APIs
    assert deploy.api.deployed_endpoints("dev") is None
    assert BUCKET not in [b["Name"] for b in session.client("s3").list_buckets()["Buckets"]]
    dynamodb = session.client("dynamodb")
    assert len(dynamodb.list_tables()["TableNames"]) == len(specs)
    assert "tables twofold-dev-*: kept (--delete-tables deletes them)" in log
    cli.destroy("dev", delete_tables=True, delete_secret=True, session=session, log=log)
    assert chalice.deleted == ["dev"]  # nothing left to delete
    assert "nothing deployed recorded for dev in .chalice/deployed/" in log
    assert dynamodb.list_tables()["TableNames"] == []
    assert session.client("ssm").describe_parameters()["Parameters"] == []


def test_main_up_prints_what_to_paste_into_the_authy_console(aws_env, chalice, monkeypatch, capsys):
    monkeypatch.setenv("AUTHY_API_KEY", "the-authy-key")
    cli.main(["up", "--stage", "dev"])
    out = capsys.readouterr().out
    assert f"  {API_URL}/authy/callback\n" in out
    assert f"site: {SITE_ORIGIN}" in out
    assert f"WebSocket: {WS_URL}" in out
    assert "SITE_ORIGIN" in out


def test_main_reports_a_deploy_error_without_a_traceback(aws_env, chalice, monkeypatch):
    monkeypatch.delenv("AUTHY_API_KEY", raising=False)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["up", "--stage", "dev"])
    assert str(stopped.value).startswith("deploy: no Authy API key in SSM")


def test_destroy_asks_first(aws_env, chalice, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(SystemExit, match="--yes"):
        cli.main(["destroy", "--stage", "prod"])


def test_a_region_is_required(monkeypatch, tmp_path):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(DeployError, match="region"):
        cli.up("dev", environ={})


@pytest.mark.parametrize("argv", [["up"], ["up", "--stage", "local"], ["destroy"]])
def test_a_stage_is_required(argv):
    with pytest.raises(SystemExit):
        cli.parser().parse_args(argv)
