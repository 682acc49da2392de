"""deploy.cli: `up` and `destroy` end to end on a moto server, chalice's step faked.

moto cannot take chalice's Swagger 2.0 import (ImportRestApi), so the chalice step is the
one thing replaced here; tests/deploy/test_package.py checks what chalice builds.
"""

import pytest

import deploy.api
from deploy import cli
from deploy.errors import DeployError
from deploy.policy import policy_file

API_URL = "https://abc123.execute-api.eu-central-1.amazonaws.com/api"
BUCKET = "twofa-dev-site-123456789012-eu-central-1"
SITE_ORIGIN = f"http://{BUCKET}.s3-website.eu-central-1.amazonaws.com"


class FakeChalice:
    """``chalice deploy/delete`` as deploy.api runs them: records what each deploy got."""

    def __init__(self):
        self.deploys = []
        self.url = None

    def deploy(self, stage, environment, policy, region):
        self.deploys.append({"stage": stage.name, "env": dict(environment), "policy": policy})
        self.url = API_URL
        return API_URL

    def deployed_api_url(self, stage_name):
        return self.url

    def delete(self, stage, region):
        deleted, self.url = self.url is not None, None
        return deleted


@pytest.fixture
def chalice(monkeypatch):
    fake = FakeChalice()
    for name in ("deploy", "deployed_api_url", "delete"):
        monkeypatch.setattr(deploy.api, name, getattr(fake, name))
    return fake


def _up(session, log, key="the-authy-key"):
    return cli.up("dev", environ={"AUTHY_API_KEY": key} if key else {}, session=session, log=log)


def test_first_up_deploys_twice_to_give_the_api_its_own_callback_url(session, chalice, log):
    urls = _up(session, log)
    assert urls == {
        "api": API_URL,
        "site": SITE_ORIGIN,
        "callback": f"{API_URL}/authy/callback",
    }
    first, second = chalice.deploys
    assert "AUTHY_CALLBACK_URL" not in first["env"]  # fails closed until the second deploy
    assert second["env"] == {
        "SITE_ORIGIN": SITE_ORIGIN,
        "AUTHY_API_KEY_PARAM": "/twofa/dev/authy-api-key",
        "AUTHY_CALLBACK_URL": f"{API_URL}/authy/callback",
    }
    assert second["policy"] == policy_file("dev").read_text()


def test_up_provisions_tables_key_and_site(session, chalice, log, specs):
    _up(session, log)
    tables = session.client("dynamodb").list_tables()["TableNames"]
    assert sorted(tables) == sorted(spec.name for spec in specs)
    ssm = session.client("ssm")
    parameter = ssm.get_parameter(Name="/twofa/dev/authy-api-key", WithDecryption=True)
    assert parameter["Parameter"]["Type"] == "SecureString"
    s3 = session.client("s3")
    config = s3.get_object(Bucket=BUCKET, Key="config.js")
    assert config["CacheControl"] == "no-cache"
    assert f'apiBase: "{API_URL}"'.encode() in config["Body"].read()
    index = s3.get_object(Bucket=BUCKET, Key="index.html")["Body"].read().decode()
    assert "connect-src 'self' https://abc123.execute-api.eu-central-1.amazonaws.com;" in index


def test_up_again_deploys_once_and_needs_no_key(session, chalice, log):
    _up(session, log)
    chalice.deploys.clear()
    urls = _up(session, log, key=None)
    assert len(chalice.deploys) == 1
    assert chalice.deploys[0]["env"]["AUTHY_CALLBACK_URL"] == urls["callback"]


def test_up_without_any_authy_key_stops_before_chalice(session, chalice, log):
    with pytest.raises(DeployError, match="AUTHY_API_KEY"):
        _up(session, log, key=None)
    assert chalice.deploys == []


def test_destroy_keeps_tables_and_key_unless_asked(session, chalice, log, specs):
    _up(session, log)
    cli.destroy("dev", session=session, log=log)
    assert chalice.url is None
    assert BUCKET not in [b["Name"] for b in session.client("s3").list_buckets()["Buckets"]]
    dynamodb = session.client("dynamodb")
    assert len(dynamodb.list_tables()["TableNames"]) == len(specs)
    assert "tables twofa-dev-*: kept (--delete-tables deletes them)" in log
    cli.destroy("dev", delete_tables=True, delete_secret=True, session=session, log=log)
    assert dynamodb.list_tables()["TableNames"] == []
    assert session.client("ssm").describe_parameters()["Parameters"] == []


def test_main_up_prints_what_to_paste_into_the_authy_console(aws_env, chalice, monkeypatch, capsys):
    monkeypatch.setenv("AUTHY_API_KEY", "the-authy-key")
    cli.main(["up", "--stage", "dev"])
    out = capsys.readouterr().out
    assert f"  {API_URL}/authy/callback\n" in out
    assert f"site: {SITE_ORIGIN}" in out
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
