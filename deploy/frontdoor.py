"""The stage's front door: one CloudFront distribution serving the site and its API on HTTPS.

- The default behaviour serves the private bucket through Origin Access Control, cached
  as each object's Cache-Control says (the managed CachingOptimized policy).
- ``/api/*`` goes to the REST API, whose stage ``api`` is that same path: never cached
  (CachingDisabled), every method, every viewer header but Host (AllViewerExceptHostHeader:
  Authorization and the query string reach the API, the Host stays API Gateway's), plus
  the edge secret that lets the API believe CloudFront's X-Forwarded-For.
- HTTP is redirected to HTTPS for pages and refused for the API (a redirected POST would
  lose its body). A custom domain gets the TLSv1.2_2021 policy; on its *.cloudfront.net
  name CloudFront sets the policy itself (browsers use TLS 1.2 or 1.3 there anyway).
- Every answer, pages and API alike, gets the stage's response headers policy:
  chalicelib.headers, which devstack's site server sends too.

Each piece is found by its name (the distribution by its Comment), created when missing
and updated in place when what the deploy would send differs from what is there. A
distribution's settings the deploy does not manage (logging, a WAF) are left as they are.
"""

import time
from dataclasses import dataclass

from chalicelib import headers
from deploy.errors import DeployError

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # CloudFront's managed policies
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SITE_ORIGIN_ID, API_ORIGIN_ID = "site", "api"
API_PATH = "/api/*"
EDGE_HEADER = "X-Twofold-Edge"  # chalicelib.context.EDGE_HEADER
READ_METHODS = ["GET", "HEAD"]
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
CERTIFICATE_REGION = "us-east-1"  # CloudFront takes ACM certificates from there only
CLOUDFRONT_HOSTED_ZONE = "Z2FDTNDATAQYW2"  # every distribution's, for Route 53 aliases
DISABLE_TIMEOUT = 40 * 60  # a distribution can take this long to roll out a change


@dataclass(frozen=True)
class Domain:
    name: str
    certificate_arn: str


@dataclass(frozen=True)
class Api:
    """Where ``/api/*`` goes: the REST API's host, and the secret CloudFront shows it."""

    host: str
    edge_secret: str


@dataclass(frozen=True)
class FrontDoor:
    """A stage's distribution as deployed."""

    distribution_id: str
    arn: str
    domain_name: str  # d111111abcdef8.cloudfront.net
    aliases: tuple = ()

    @property
    def origin(self):
        """The site's origin: its domain if it has one, else the distribution's own name."""
        return f"https://{self.aliases[0] if self.aliases else self.domain_name}"


# --- a custom domain ------------------------------------------------------------------


def check_domain(acm, name, certificate_arn):
    """``Domain`` for DOMAIN and CERTIFICATE_ARN, if ACM in us-east-1 has that certificate
    issued for that name; DeployError otherwise, before anything is deployed."""
    name = name.strip().lower().rstrip(".")
    if "://" in name or "/" in name or "." not in name:
        raise DeployError(f"DOMAIN must be a host name such as login.example.com, not {name!r}")
    if certificate_arn.split(":")[3:4] != [CERTIFICATE_REGION]:
        raise DeployError(
            f"CERTIFICATE_ARN must be an ACM certificate in {CERTIFICATE_REGION} (CloudFront "
            f"uses no other region), not {certificate_arn!r}"
        )
    try:
        certificate = acm.describe_certificate(CertificateArn=certificate_arn)["Certificate"]
    except acm.exceptions.ResourceNotFoundException:
        raise DeployError(f"no ACM certificate {certificate_arn} in {CERTIFICATE_REGION}") from None
    names = {certificate["DomainName"], *certificate.get("SubjectAlternativeNames", [])}
    if not any(_covers(pattern.lower(), name) for pattern in names):
        raise DeployError(f"certificate {certificate_arn} is for {sorted(names)}, not {name}")
    if certificate["Status"] != "ISSUED":
        raise DeployError(
            f"certificate {certificate_arn} is {certificate['Status']}: create the DNS record "
            "ACM asks for, wait until it is ISSUED, then deploy again"
        )
    return Domain(name, certificate_arn)


def _covers(pattern, name):
    if pattern.startswith("*."):
        return name.partition(".")[2] == pattern[2:]
    return pattern == name


def dns_record(front_door, domain_name):
    """What to create at the DNS provider for ``domain_name``."""
    return (
        f"{domain_name}  CNAME  {front_door.domain_name}   (Route 53: an alias A and AAAA "
        f"record to {front_door.domain_name}, hosted zone {CLOUDFRONT_HOSTED_ZONE})"
    )


# --- the pieces -----------------------------------------------------------------------


def ensure_origin_access_control(cloudfront, name, log=print):
    """The OAC that signs CloudFront's requests to the bucket; its id."""
    for item in _listed(cloudfront.list_origin_access_controls, "OriginAccessControlList"):
        if item["Name"] == name:
            return item["Id"]
    created = cloudfront.create_origin_access_control(
        OriginAccessControlConfig={
            "Name": name,
            "Description": "the login site's bucket, read by its distribution only",
            "SigningProtocol": "sigv4",
            "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3",
        }
    )
    log(f"origin access control {name}: created")
    return created["OriginAccessControl"]["Id"]


def headers_policy_config(name, websocket_url=None):
    """The response headers policy: chalicelib.headers, in CloudFront's terms."""
    return {
        "Name": name,
        "Comment": "the login site's security headers (chalicelib/headers.py)",
        "SecurityHeadersConfig": {
            "StrictTransportSecurity": {
                "AccessControlMaxAgeSec": headers.HSTS_MAX_AGE,
                "IncludeSubdomains": headers.HSTS_INCLUDE_SUBDOMAINS,
                "Preload": False,
                "Override": True,
            },
            "ContentSecurityPolicy": {
                "ContentSecurityPolicy": headers.content_security_policy(websocket_url),
                "Override": True,
            },
            "ContentTypeOptions": {"Override": True},
            "ReferrerPolicy": {"ReferrerPolicy": headers.REFERRER_POLICY, "Override": True},
            "FrameOptions": {"FrameOption": headers.FRAME_OPTIONS, "Override": True},
        },
    }


def ensure_headers_policy(cloudfront, name, websocket_url=None, log=print):
    """The stage's response headers policy, created or brought up to date; its id."""
    wanted = headers_policy_config(name, websocket_url)
    listed = _listed(
        cloudfront.list_response_headers_policies, "ResponseHeadersPolicyList", Type="custom"
    )
    for item in listed:
        policy = item["ResponseHeadersPolicy"]
        if policy["ResponseHeadersPolicyConfig"]["Name"] != name:
            continue
        current = cloudfront.get_response_headers_policy_config(Id=policy["Id"])
        if not _same(wanted, current["ResponseHeadersPolicyConfig"]):
            cloudfront.update_response_headers_policy(
                Id=policy["Id"], IfMatch=current["ETag"], ResponseHeadersPolicyConfig=wanted
            )
            log(f"response headers policy {name}: updated")
        return policy["Id"]
    created = cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=wanted)
    log(f"response headers policy {name}: created")
    return created["ResponseHeadersPolicy"]["Id"]


def distribution_config(
    comment, reference, bucket_domain, oac_id, headers_policy_id, api=None, domain=None
):
    """The DistributionConfig the deploy sends (``api`` None: the site alone, for now)."""
    site = {
        "Id": SITE_ORIGIN_ID,
        "DomainName": bucket_domain,
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "S3OriginConfig": {"OriginAccessIdentity": ""},  # OAC, not the legacy identity
        "OriginAccessControlId": oac_id,
    }
    origins = [site]
    behaviours = []
    if api is not None:
        origins.append(_api_origin(api))
        behaviours.append(_api_behaviour(headers_policy_id))
    return {
        "CallerReference": reference,
        "Comment": comment,
        "Enabled": True,
        "DefaultRootObject": "index.html",
        **_certificate(domain),
        "Origins": _items(origins),
        "DefaultCacheBehavior": {
            "TargetOriginId": SITE_ORIGIN_ID,
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {**_items(READ_METHODS), "CachedMethods": _items(READ_METHODS)},
            "Compress": True,
            "CachePolicyId": CACHING_OPTIMIZED,
            "ResponseHeadersPolicyId": headers_policy_id,
        },
        "CacheBehaviors": _items(behaviours),
        "HttpVersion": "http2and3",
        "IsIPV6Enabled": True,
        "PriceClass": "PriceClass_All",
    }


def _api_origin(api):
    return {
        "Id": API_ORIGIN_ID,
        "DomainName": api.host,
        "OriginPath": "",  # /api/login is API Gateway's stage api, resource /login
        "CustomHeaders": _items([{"HeaderName": EDGE_HEADER, "HeaderValue": api.edge_secret}]),
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
            "OriginSslProtocols": _items(["TLSv1.2"]),
            "OriginReadTimeout": 30,
            "OriginKeepaliveTimeout": 5,
        },
    }


def _api_behaviour(headers_policy_id):
    return {
        "PathPattern": API_PATH,
        "TargetOriginId": API_ORIGIN_ID,
        "ViewerProtocolPolicy": "https-only",
        "AllowedMethods": {**_items(ALL_METHODS), "CachedMethods": _items(READ_METHODS)},
        "Compress": True,
        "CachePolicyId": CACHING_DISABLED,
        "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
        "ResponseHeadersPolicyId": headers_policy_id,
    }


def _certificate(domain):
    if domain is None:
        return {
            "Aliases": {"Quantity": 0},
            "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
        }
    return {
        "Aliases": _items([domain.name]),
        "ViewerCertificate": {
            "CloudFrontDefaultCertificate": False,
            "ACMCertificateArn": domain.certificate_arn,
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        },
    }


def find_distribution(cloudfront, comment):
    """The FrontDoor whose Comment is ``comment``, or None."""
    for item in _listed(cloudfront.list_distributions, "DistributionList"):
        if item["Comment"] == comment:
            return _front_door(item)
    return None


def ensure_distribution(cloudfront, config, keep_domain=False, log=print):
    """Create the distribution ``config`` describes, or update the one with its Comment.

    ``keep_domain``: leave the aliases and certificate as they are (no DOMAIN given: a
    redeploy must not take a live domain away).
    """
    found = find_distribution(cloudfront, config["Comment"])
    if found is None:
        created = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]
        log(f"distribution {created['Id']} ({created['DomainName']}): created")
        return _front_door(created)
    current = cloudfront.get_distribution_config(Id=found.distribution_id)
    wanted = {**config, "CallerReference": current["DistributionConfig"]["CallerReference"]}
    if keep_domain:
        for name in ("Aliases", "ViewerCertificate"):
            wanted[name] = current["DistributionConfig"][name]
    if _same(wanted, current["DistributionConfig"]):
        return found
    updated = cloudfront.update_distribution(
        Id=found.distribution_id,
        IfMatch=current["ETag"],
        DistributionConfig={**current["DistributionConfig"], **wanted},
    )["Distribution"]
    log(f"distribution {found.distribution_id}: updated (CloudFront rolls it out in minutes)")
    return _front_door(updated)


def invalidate(cloudfront, distribution_id):
    """Have the edges fetch every file again (one path: the first 1,000 a month are free)."""
    cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": _items(["/*"]),
            "CallerReference": f"deploy-{time.time_ns()}",
        },
    )


def delete_front_door(cloudfront, comment, names, log=print, poll_seconds=30):
    """Disable and delete the distribution, then its headers policy and OAC (``names``).

    CloudFront deletes only a disabled distribution whose change has rolled out, which
    takes minutes; this waits for it. False when there was no distribution.
    """
    found = find_distribution(cloudfront, comment)
    if found is not None:
        current = cloudfront.get_distribution_config(Id=found.distribution_id)
        etag = current["ETag"]
        if current["DistributionConfig"]["Enabled"]:
            config = {**current["DistributionConfig"], "Enabled": False}
            etag = cloudfront.update_distribution(
                Id=found.distribution_id, IfMatch=etag, DistributionConfig=config
            )["ETag"]
            log(f"distribution {found.distribution_id}: disabled; waiting for CloudFront")
        cloudfront.get_waiter("distribution_deployed").wait(
            Id=found.distribution_id,
            WaiterConfig={"Delay": poll_seconds, "MaxAttempts": DISABLE_TIMEOUT // poll_seconds},
        )
        cloudfront.delete_distribution(Id=found.distribution_id, IfMatch=etag)
        log(f"distribution {found.distribution_id}: deleted")
    _delete_headers_policy(cloudfront, names["headers_policy"], log)
    _delete_origin_access_control(cloudfront, names["origin_access_control"], log)
    return found is not None


def _delete_headers_policy(cloudfront, name, log):
    listed = _listed(
        cloudfront.list_response_headers_policies, "ResponseHeadersPolicyList", Type="custom"
    )
    for item in listed:
        policy = item["ResponseHeadersPolicy"]
        if policy["ResponseHeadersPolicyConfig"]["Name"] == name:
            etag = cloudfront.get_response_headers_policy_config(Id=policy["Id"])["ETag"]
            cloudfront.delete_response_headers_policy(Id=policy["Id"], IfMatch=etag)
            log(f"response headers policy {name}: deleted")


def _delete_origin_access_control(cloudfront, name, log):
    for item in _listed(cloudfront.list_origin_access_controls, "OriginAccessControlList"):
        if item["Name"] == name:
            etag = cloudfront.get_origin_access_control(Id=item["Id"])["ETag"]
            cloudfront.delete_origin_access_control(Id=item["Id"], IfMatch=etag)
            log(f"origin access control {name}: deleted")


# --- helpers --------------------------------------------------------------------------


def _front_door(distribution):
    """From a DistributionSummary (a list's item) or a Distribution (create, update)."""
    config = distribution.get("DistributionConfig", distribution)
    aliases = config.get("Aliases", {}).get("Items") or []
    return FrontDoor(
        distribution["Id"], distribution["ARN"], distribution["DomainName"], tuple(aliases)
    )


def _items(items):
    """CloudFront's list shape."""
    return {"Quantity": len(items), "Items": list(items)} if items else {"Quantity": 0}


def _listed(call, key, **arguments):
    """Every item of a CloudFront list call, page by page (they page with Marker)."""
    marker = None
    while True:
        page = call(**arguments, **({"Marker": marker} if marker else {}))[key]
        yield from page.get("Items") or []
        marker = page.get("NextMarker")
        if not marker:
            return


def _same(wanted, current):
    """Whether ``current`` already has every value ``wanted`` sets (extra keys are AWS's)."""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(
            _same(value, current.get(key)) for key, value in wanted.items()
        )
    if isinstance(wanted, list):
        if not isinstance(current, list) or len(wanted) != len(current):
            return False
        if all(isinstance(item, str) for item in wanted):  # e.g. methods, in any order
            return sorted(wanted) == sorted(current)
        return all(_same(w, c) for w, c in zip(wanted, current, strict=True))
    return wanted == current
