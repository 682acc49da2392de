"""What one ``make deploy STAGE=dev`` makes on a fresh account, the real chalice included.

The deploy runs once for this module (``first_deploy``), on a moto server, chalice as a
process through tests/deploy/moto_chalice.py (three calls adjusted for moto). What moto
keeps (tables, parameters, the bucket, roles and policies, the Lambdas' settings, both
APIs, the distribution) is read back from it; for what it drops or lacks (a distribution's
OAC id, response headers policies) the tests read what the deploy sent.
"""

import json

from chalicelib.headers import site_headers
from deploy.frontdoor import ALL_VIEWER_EXCEPT_HOST, CACHING_DISABLED, CACHING_OPTIMIZED
from deploy.policy import FUNCTIONS, lambda_policies
from deploy.project import load_stage
from deploy.schema import table_specs
from tests.deploy.conftest import REGION, SENDER


def test_the_new_apis_need_a_second_chalice_run(first_deploy):
    assert "new API: deploying again" in first_deploy.log  # ids exist once chalice made them


def test_the_site_is_the_distributions_https_origin(first_deploy):
    urls = first_deploy.urls
    assert urls["distribution"].endswith(".cloudfront.net")
    assert urls["site"] == f"https://{urls['distribution']}"
    assert urls["api"].startswith("https://") and urls["api"].endswith(".amazonaws.com/api")
    assert urls["callback"] == urls["api"] + "/authy/callback"
    assert urls["dns"] == []


def test_every_lambda_gets_what_only_the_deploy_knows(first_deploy):
    urls = first_deploy.urls
    for function in FUNCTIONS:
        env = first_deploy.lambda_environment(function)
        assert env["SITE_ORIGIN"] == urls["site"]
        assert env["AUTHY_API_KEY_PARAM"] == "/twofold/dev/authy-api-key"
        assert env["EDGE_SECRET_PARAM"] == "/twofold/dev/edge-secret"
        assert env["AUTHY_CALLBACK_URL"] == urls["callback"]
        assert env["WEBSOCKET_MANAGEMENT_URL"] == "https://" + urls["websocket"][len("wss://") :]
        assert env["EMAIL_FROM"] == SENDER
        assert not {"AUTHY_API_KEY", "EDGE_SECRET", "CORS_ORIGIN"} & set(env), function


def test_each_lambdas_role_has_its_own_policy_naming_this_websocket_api(first_deploy):
    stage = load_stage("dev")
    websocket_api_id = first_deploy.urls["websocket"].removeprefix("wss://").split(".")[0]
    policies = lambda_policies(stage, table_specs(stage), websocket_api_id, SENDER)
    for function in FUNCTIONS:
        assert first_deploy.role_policy(function) == policies[function], function
    (only,) = first_deploy.role_policy("websocket_connect")["Statement"]
    assert only["Sid"] == "Logs"


def test_tables_and_secrets(first_deploy, specs):
    session = first_deploy.session
    tables = session.client("dynamodb").list_tables()["TableNames"]
    assert sorted(tables) == sorted(spec.name for spec in specs)
    ssm = session.client("ssm")
    key = ssm.get_parameter(Name="/twofold/dev/authy-api-key", WithDecryption=True)["Parameter"]
    assert key["Type"] == "SecureString" and key["Value"] == "the-authy-key"
    edge = ssm.get_parameter(Name="/twofold/dev/edge-secret", WithDecryption=True)["Parameter"]
    assert edge["Type"] == "SecureString" and len(edge["Value"]) >= 40


def test_the_bucket_is_private_and_admits_only_the_distribution(first_deploy):
    s3, bucket = first_deploy.session.client("s3"), first_deploy.bucket
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"),
        True,
    )
    assert not _has_website(s3, bucket)
    (statement,) = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    distribution_id, _ = first_deploy.distribution()
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Action"] == "s3:GetObject"
    assert statement["Resource"] == f"arn:aws:s3:::{bucket}/*"
    arn = f"arn:aws:cloudfront::123456789012:distribution/{distribution_id}"
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": arn}}


def _has_website(s3, bucket):
    try:
        s3.get_bucket_website(Bucket=bucket)
    except s3.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchWebsiteConfiguration"
        return False
    return True


def test_the_site_is_published_as_it_is_with_config_js_naming_the_socket(first_deploy):
    s3, bucket = first_deploy.session.client("s3"), first_deploy.bucket
    config = s3.get_object(Bucket=bucket, Key="config.js")
    assert config["CacheControl"] == "no-cache"
    expected = f'export const config = {{wsUrl: "{first_deploy.urls["websocket"]}"}};\n'
    assert config["Body"].read().decode() == expected
    page = s3.get_object(Bucket=bucket, Key="login.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert b"Content-Security-Policy" not in page["Body"].read()  # a header now


def test_the_distribution_serves_the_site_from_the_bucket(first_deploy):
    _, config = first_deploy.distribution()
    site = next(origin for origin in config["Origins"]["Items"] if origin["Id"] == "site")
    assert site["DomainName"] == f"{first_deploy.bucket}.s3.{REGION}.amazonaws.com"
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "site"
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert sorted(default["AllowedMethods"]["Items"]) == ["GET", "HEAD"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["ViewerCertificate"]["CloudFrontDefaultCertificate"] is True
    # moto drops the origin's OAC: what the deploy sent has it, and moto has the OAC
    cloudfront = first_deploy.session.client("cloudfront")
    (oac,) = cloudfront.list_origin_access_controls()["OriginAccessControlList"]["Items"]
    assert (oac["SigningBehavior"], oac["OriginAccessControlOriginType"]) == ("always", "s3")
    for call in first_deploy.sent("CreateDistribution") + first_deploy.sent("UpdateDistribution"):
        origins = call["DistributionConfig"]["Origins"]["Items"]
        sent_site = next(origin for origin in origins if origin["Id"] == "site")
        assert sent_site["OriginAccessControlId"] == oac["Id"]
        assert sent_site["S3OriginConfig"] == {"OriginAccessIdentity": ""}


def test_the_distribution_sends_api_to_the_rest_api_uncached_with_the_edge_secret(
    first_deploy,
):
    _, config = first_deploy.distribution()
    api = next(origin for origin in config["Origins"]["Items"] if origin["Id"] == "api")
    host = first_deploy.urls["api"].removeprefix("https://").removesuffix("/api")
    assert api["DomainName"] == host
    assert api["OriginPath"] == ""  # /api/login is API Gateway's stage api, resource /login
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api["CustomOriginConfig"]["OriginSslProtocols"]["Items"] == ["TLSv1.2"]
    edge = first_deploy.session.client("ssm").get_parameter(
        Name="/twofold/dev/edge-secret", WithDecryption=True
    )["Parameter"]["Value"]
    assert api["CustomHeaders"]["Items"] == [{"HeaderName": "X-Twofold-Edge", "HeaderValue": edge}]
    (behaviour,) = config["CacheBehaviors"]["Items"]
    assert behaviour["PathPattern"] == "/api/*" and behaviour["TargetOriginId"] == "api"
    assert behaviour["ViewerProtocolPolicy"] == "https-only"  # a redirected POST loses its body
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST  # Authorization, query
    assert sorted(behaviour["AllowedMethods"]["Items"]) == sorted(
        ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    )


def _as_headers(config):
    """A response headers policy's SecurityHeadersConfig, as the headers CloudFront sends."""
    security = config["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    assert all(part["Override"] for part in security.values())
    return {
        "Strict-Transport-Security": f"max-age={hsts['AccessControlMaxAgeSec']}"
        + ("; includeSubDomains" if hsts["IncludeSubdomains"] else "")
        + ("; preload" if hsts["Preload"] else ""),
        "Content-Security-Policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
    }


def test_every_answer_gets_chalicelib_headers_with_the_socket_in_the_csp(first_deploy):
    (policy_id,) = first_deploy.headers_policies.configs
    _, config = first_deploy.distribution()
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == policy_id
    (behaviour,) = config["CacheBehaviors"]["Items"]
    assert behaviour["ResponseHeadersPolicyId"] == policy_id
    sent = _as_headers(first_deploy.headers_policies.configs[policy_id])
    websocket = first_deploy.urls["websocket"]
    assert sent == site_headers(websocket)
    assert "frame-ancestors 'none'" in sent["Content-Security-Policy"]
    origin = websocket.removesuffix("/api")
    assert f"connect-src 'self' {origin};" in sent["Content-Security-Policy"]


def test_the_edges_are_told_to_fetch_the_new_site(first_deploy):
    distribution_id, _ = first_deploy.distribution()
    cloudfront = first_deploy.session.client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    (invalidation,) = listed["Items"]
    (sent,) = first_deploy.sent("CreateInvalidation")
    assert sent["InvalidationBatch"]["Paths"] == {"Quantity": 1, "Items": ["/*"]}
