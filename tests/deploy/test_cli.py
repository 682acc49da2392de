"""deploy.cli: ``up`` again, with a domain, with configured origins, ``destroy``, ``main``.

Each test starts from a fresh moto server and runs the real chalice (tests/deploy/
moto_chalice.py); tests/deploy/test_up.py looks at what one first ``up`` makes.
"""

import json

import pytest

import deploy.api
import deploy.cli
from deploy import cli
from deploy.errors import DeployError
from deploy.policy import FUNCTIONS
from deploy.project import chalice_config
from tests.deploy.conftest import REGION, SENDER

KEY = "the-authy-key"


def _up(session, log, key=KEY, stage="dev", **environ):
    environ = {"EMAIL_FROM": SENDER, **environ}
    environ = {"AUTHY_API_KEY": key, **environ} if key else environ
    return cli.up(stage, environ=environ, session=session, log=log)


def test_up_again_deploys_once_needs_no_key_and_changes_nothing(session, chalice, log, look):
    first = _up(session, log)
    _, distribution = look.distribution()
    log.lines.clear()
    again = _up(session, log, key=None)
    assert again == first
    assert "new API: deploying again" not in log
    assert look.distribution()[1]["Origins"] == distribution["Origins"]
    distribution_id, _ = look.distribution()
    cloudfront = session.client("cloudfront")
    invalidations = cloudfront.list_invalidations(DistributionId=distribution_id)
    assert len(invalidations["InvalidationList"]["Items"]) == 2  # one per publish


def test_up_without_any_authy_key_stops_before_chalice(session, chalice, log):
    with pytest.raises(DeployError, match="AUTHY_API_KEY"):
        _up(session, log, key=None)
    assert not (chalice / ".chalice" / "deployed").exists()


def test_an_old_public_website_bucket_is_made_private(session, chalice, log, look):
    s3 = session.client("s3")
    s3.create_bucket(Bucket=look.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_website(
        Bucket=look.bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}
    )
    public = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{look.bucket}/*",
    }
    policy = {"Version": "2012-10-17", "Statement": [public]}
    s3.put_bucket_policy(Bucket=look.bucket, Policy=json.dumps(policy))
    _up(session, log)
    assert f"bucket {look.bucket}: website hosting off (CloudFront serves the site now)" in log
    policy = s3.get_bucket_policy(Bucket=look.bucket)["Policy"]
    assert '"*"' not in policy and "cloudfront.amazonaws.com" in policy


# --- a custom domain, and configured origins ------------------------------------------


@pytest.fixture
def certificate(aws_env):
    import boto3

    acm = boto3.client("acm", region_name="us-east-1")
    arn = acm.request_certificate(
        DomainName="login.example.com", SubjectAlternativeNames=["*.example.com"]
    )["CertificateArn"]
    acm.describe_certificate(CertificateArn=arn)  # moto issues it on first look
    return arn


def test_a_custom_domain_is_the_sites_origin_and_needs_a_dns_record(
    session, chalice, log, look, certificate
):
    urls = _up(session, log, DOMAIN="login.example.com", CERTIFICATE_ARN=certificate)
    assert urls["site"] == "https://login.example.com"
    assert look.lambda_environment("api_handler")["SITE_ORIGIN"] == urls["site"]
    _, config = look.distribution()
    assert config["Aliases"]["Items"] == ["login.example.com"]
    viewer = config["ViewerCertificate"]
    assert viewer["ACMCertificateArn"] == certificate
    assert viewer["SSLSupportMethod"] == "sni-only"
    assert viewer["MinimumProtocolVersion"] == "TLSv1.2_2021"
    (record,) = urls["dns"]
    assert record.startswith(f"login.example.com  CNAME  {urls['distribution']}")
    assert f"\n  {record}" in cli._summary("dev", urls)

    again = _up(session, log, key=None)  # no DOMAIN this time: a live domain stays
    assert again["site"] == "https://login.example.com"
    assert look.distribution()[1]["Aliases"]["Items"] == ["login.example.com"]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DOMAIN": "login.example.com"}, "DOMAIN needs CERTIFICATE_ARN"),
        ({"CERTIFICATE_ARN": "issued"}, "CERTIFICATE_ARN without DOMAIN"),
        (
            {
                "DOMAIN": "login.example.com",
                "CERTIFICATE_ARN": f"arn:aws:acm:{REGION}:123456789012:certificate/x",
            },
            "in us-east-1",
        ),
        ({"DOMAIN": "login.example.org", "CERTIFICATE_ARN": "issued"}, "not login.example.org"),
        ({"DOMAIN": "https://login.example.com", "CERTIFICATE_ARN": "issued"}, "a host name"),
    ],
)
def test_a_domain_that_cannot_work_stops_the_deploy_before_anything(
    session, chalice, log, certificate, environ, message
):
    environ = {k: certificate if v == "issued" else v for k, v in environ.items()}
    with pytest.raises(DeployError, match=message):
        _up(session, log, **environ)
    assert session.client("dynamodb").list_tables()["TableNames"] == []


def _configure(monkeypatch, stage, **variables):
    config = chalice_config()
    config["stages"][stage]["environment_variables"].update(variables)
    monkeypatch.setattr(deploy.cli, "chalice_config", lambda: config)
    monkeypatch.setattr(deploy.api, "chalice_config", lambda: config)


@pytest.mark.parametrize("name", ["SITE_ORIGIN", "CORS_ORIGIN"])
def test_prod_refuses_a_plain_http_origin_before_anything(session, chalice, log, monkeypatch, name):
    _configure(monkeypatch, "prod", **{name: "http://login.example.com"})
    with pytest.raises(DeployError, match=f"{name} must be https:// on the prod stage"):
        _up(session, log, stage="prod")
    assert session.client("dynamodb").list_tables()["TableNames"] == []
    assert session.client("s3").list_buckets()["Buckets"] == []


def test_a_configured_site_origin_is_what_the_lambdas_get(session, chalice, log, look, monkeypatch):
    """F7: the deploy used to put the S3 website's http:// origin over any configured one."""
    _configure(monkeypatch, "dev", SITE_ORIGIN="https://login.example.com")
    urls = _up(session, log)
    assert urls["site"] == "https://login.example.com"
    for function in FUNCTIONS:
        assert look.lambda_environment(function)["SITE_ORIGIN"] == urls["site"]


# --- destroy, and the command line ----------------------------------------------------


def test_destroy_removes_the_front_door_and_keeps_tables_and_secrets_unless_asked(
    session, chalice, log, look, specs, headers_policies
):
    _up(session, log)
    cli.destroy("dev", session=session, log=log, poll_seconds=1)
    assert deploy.api.deployed_endpoints("dev") is None
    assert session.client("lambda").list_functions()["Functions"] == []
    cloudfront = session.client("cloudfront")
    assert cloudfront.list_distributions()["DistributionList"].get("Items") is None
    oacs = cloudfront.list_origin_access_controls()["OriginAccessControlList"]
    assert oacs.get("Items") in (None, [])
    assert headers_policies.configs == {}
    assert look.bucket not in [b["Name"] for b in session.client("s3").list_buckets()["Buckets"]]
    dynamodb = session.client("dynamodb")
    assert len(dynamodb.list_tables()["TableNames"]) == len(specs)
    assert "tables twofold-dev-*: kept (--delete-tables deletes them)" in log
    assert len(session.client("ssm").describe_parameters()["Parameters"]) == 2

    cli.destroy("dev", delete_tables=True, delete_secret=True, session=session, log=log)
    assert "nothing deployed recorded for dev in .chalice/deployed/" in log
    assert "distribution twofold-dev-site: none" in log
    assert dynamodb.list_tables()["TableNames"] == []
    assert session.client("ssm").describe_parameters()["Parameters"] == []


@pytest.fixture
def main_session(session, monkeypatch):
    """cli.main makes its own session: give it the test's (moto, headers policies played)."""
    monkeypatch.setattr(deploy.cli, "_session", lambda environ: session)
    return session


def test_main_up_prints_the_https_site_and_what_to_paste_into_the_authy_console(
    main_session, chalice, monkeypatch, capsys
):
    monkeypatch.setenv("AUTHY_API_KEY", KEY)
    monkeypatch.setenv("EMAIL_FROM", SENDER)
    cli.main(["up", "--stage", "dev"])
    out = capsys.readouterr().out
    site = next(line for line in out.splitlines() if line.startswith("  site: "))
    assert site.startswith("  site: https://") and ".cloudfront.net/" in site
    assert "/authy/callback\n" in out
    assert "WebSocket: wss://" in out


def test_main_reports_a_deploy_error_without_a_traceback(main_session, chalice, monkeypatch):
    monkeypatch.delenv("AUTHY_API_KEY", raising=False)
    monkeypatch.setenv("EMAIL_FROM", SENDER)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["up", "--stage", "dev"])
    assert str(stopped.value).startswith("deploy: no Authy API key in SSM")


def test_destroy_asks_first(aws_env, monkeypatch):
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
