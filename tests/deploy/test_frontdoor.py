"""deploy.frontdoor: what a redeploy changes in a distribution CloudFront already has.

moto drops parts of a distribution (the OAC id), so a moto redeploy always looks changed;
here a CloudFront that keeps everything, and adds its own defaults as the real one does,
shows that an unchanged stage sends no update and a changed one keeps what it does not
manage.
"""

import copy

import pytest

from deploy import frontdoor
from deploy.errors import DeployError

API = frontdoor.Api("abc123.execute-api.eu-west-1.amazonaws.com", "edge-secret")
DOMAIN = frontdoor.Domain("login.example.com", "arn:aws:acm:us-east-1:1:certificate/c")


def _config(api=API, domain=None, reference="first"):
    return frontdoor.distribution_config(
        "twofold-prod-site", reference, "b.s3.eu-west-1.amazonaws.com", "OAC1", "RHP1", api, domain
    )


class CloudFront:
    """A distribution as CloudFront keeps it: what was sent, plus its own defaults."""

    def __init__(self, config):
        self.config = copy.deepcopy(config)
        self.config.update(WebACLId="arn:aws:wafv2::waf", Logging={"Enabled": True})
        self.config["Origins"]["Items"][0].update(ConnectionAttempts=3, ConnectionTimeout=10)
        methods = self.config["DefaultCacheBehavior"]["AllowedMethods"]
        methods["Items"] = list(reversed(methods["Items"]))  # CloudFront's own order
        self.updates = []

    def list_distributions(self):
        item = {"Id": "E1", "ARN": "arn:aws:cloudfront::1:distribution/E1"}
        item.update(DomainName="d1.cloudfront.net", Comment=self.config["Comment"])
        return {"DistributionList": {"Items": [{**item, "Aliases": self.config["Aliases"]}]}}

    def get_distribution_config(self, Id):  # noqa: N803 - botocore's names
        return {"DistributionConfig": copy.deepcopy(self.config), "ETag": "ETAG1"}

    def update_distribution(self, Id, IfMatch, DistributionConfig):  # noqa: N803
        assert IfMatch == "ETAG1"
        self.updates.append(DistributionConfig)
        self.config = DistributionConfig
        return {
            "Distribution": {
                **self.list_distributions()["DistributionList"]["Items"][0],
                "DistributionConfig": DistributionConfig,
            }
        }


def test_an_unchanged_stage_sends_no_update():
    cloudfront = CloudFront(_config())
    frontdoor.ensure_distribution(cloudfront, _config(reference="second"), log=lambda _: 0)
    assert cloudfront.updates == []


def test_a_change_keeps_what_the_deploy_does_not_manage():
    cloudfront = CloudFront(_config())
    changed = _config(api=frontdoor.Api(API.host, "a-new-secret"), reference="second")
    frontdoor.ensure_distribution(cloudfront, changed, log=lambda _: 0)
    (sent,) = cloudfront.updates
    assert sent["CallerReference"] == "first"  # CloudFront refuses another
    assert sent["WebACLId"] == "arn:aws:wafv2::waf" and sent["Logging"] == {"Enabled": True}
    assert sent["Origins"]["Items"][1]["CustomHeaders"]["Items"][0]["HeaderValue"] == (
        "a-new-secret"
    )


def test_without_domain_a_redeploy_keeps_the_domain_there_is():
    cloudfront = CloudFront(_config(domain=DOMAIN))
    door = frontdoor.ensure_distribution(
        cloudfront, _config(reference="second"), keep_domain=True, log=lambda _: 0
    )
    assert cloudfront.updates == []
    assert door.origin == "https://login.example.com"


def test_the_site_alone_until_the_api_is_known():
    config = _config(api=None)
    assert [origin["Id"] for origin in config["Origins"]["Items"]] == ["site"]
    assert config["CacheBehaviors"] == {"Quantity": 0}


def test_a_domain_gets_tls_1_2_and_sni():
    viewer = _config(domain=DOMAIN)["ViewerCertificate"]
    assert viewer["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert viewer["SSLSupportMethod"] == "sni-only"
    assert viewer["ACMCertificateArn"] == DOMAIN.certificate_arn


class Acm:
    class exceptions:  # noqa: N801 - botocore's shape
        ResourceNotFoundException = KeyError

    def __init__(self, names, status="ISSUED"):
        self.certificate = {"DomainName": names[0], "SubjectAlternativeNames": names}
        self.certificate["Status"] = status

    def describe_certificate(self, CertificateArn):  # noqa: N803
        return {"Certificate": self.certificate}


@pytest.mark.parametrize("names", [["login.example.com"], ["example.com", "*.example.com"]])
def test_a_certificate_for_the_name_or_its_wildcard_will_do(names):
    domain = frontdoor.check_domain(Acm(names), "Login.Example.com.", DOMAIN.certificate_arn)
    assert domain == DOMAIN


@pytest.mark.parametrize(
    ("acm", "message"),
    [
        (Acm(["*.login.example.com"]), "not login.example.com"),
        (Acm(["*.example.com"], status="PENDING_VALIDATION"), "is PENDING_VALIDATION"),
    ],
)
def test_a_certificate_that_will_not_do_is_refused(acm, message):
    with pytest.raises(DeployError, match=message):
        frontdoor.check_domain(acm, "login.example.com", DOMAIN.certificate_arn)
