"""``python -m deploy up|destroy|policy --stage dev|prod``: the steps, in order."""

import argparse
import os
import sys
import time
import urllib.parse
from dataclasses import dataclass

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import check_origin
from chalicelib.errors import ConfigurationError
from deploy import api, edge_secret, frontdoor, parameters, schema, ses, site, tables
from deploy import bucket as buckets
from deploy.errors import DeployError
from deploy.policy import FUNCTIONS, lambda_policies, policy_file, policy_text
from deploy.project import SITE_DIR, STAGES, chalice_config, lambda_environment, load_stage
from deploy.unlock import unlock
from deploy.vendor_setup import vendor_environment

CALLBACK_PATH = "/authy/callback"


def callback_url(api_url):
    """The URL to enter in the Authy console; callback signatures cover it exactly."""
    return api_url.rstrip("/") + CALLBACK_PATH


def up(stage_name, environ=None, session=None, log=print):
    """Tables, secrets, the bucket and its CloudFront front door, the APIs, then the site.

    Returns the URLs: the site's (https), the APIs', the callback's, and the DNS record a
    custom domain needs. ``environ`` is read when called (os.environ by default): chalice's
    test client swaps os.environ for a copy, and a default bound at import would keep it.
    """
    environ = os.environ if environ is None else environ
    api.check_runtime()  # before anything is made: chalice would pick the wrong runtime
    session = session or _session(environ)
    stage = load_stage(stage_name)
    configured_site = configured_origins(stage)  # a prod stage refuses http, before anything
    sender = ses.sender_of(stage, environ)
    domain = _domain(session, environ)
    ses.check_identity(session.client("sesv2"), stage, sender, log)
    region = session.region_name
    account = session.client("sts").get_caller_identity()["Account"]
    specs = schema.table_specs(stage)
    tables.ensure_tables(session.client("dynamodb"), specs, log)
    ssm = session.client("ssm")
    vendor = vendor_environment(ssm, stage, environ, log)
    secret = edge_secret.ensure_edge_secret(ssm, stage.edge_secret_name, log)
    s3, cloudfront = session.client("s3"), session.client("cloudfront")
    bucket = stage.bucket_name(account, region)
    buckets.ensure_private_bucket(s3, bucket, region, log)
    door = FrontDoorSteps(cloudfront, stage, buckets.regional_domain(bucket, region), secret, log)
    # The site's origin must be known before chalice runs; the API's only after.
    opened = door.open(api.deployed_endpoints(stage.name), domain)
    buckets.admit_only(s3, bucket, opened.arn)
    site_origin = configured_site or opened.origin
    _check_committed_policy(stage, specs, log)
    endpoints = deploy_api(stage, Addresses(site_origin, sender), specs, region, log, vendor)
    opened = door.open(endpoints, domain)
    site.publish(s3, bucket, site.site_objects(SITE_DIR, endpoints.websocket_url), log)
    frontdoor.invalidate(cloudfront, opened.distribution_id)
    return {
        "site": site_origin,
        "distribution": opened.domain_name,
        "api": endpoints.api_url,
        "websocket": endpoints.websocket_url,
        "callback": callback_url(endpoints.api_url) if stage.provider == "authy" else None,
        "verify_service": vendor.get("VERIFY_SERVICE_SID"),
        "dns": [frontdoor.dns_record(opened, alias) for alias in opened.aliases],
    }


def configured_origins(stage):
    """SITE_ORIGIN as .chalice/config.json sets it for ``stage``, if it does; both it and
    CORS_ORIGIN must be origins, and https on prod (chalicelib.config's rule)."""
    environment = lambda_environment(chalice_config(), stage.name)
    try:
        checked = {
            name: check_origin(name, environment[name], stage.name)
            for name in ("SITE_ORIGIN", "CORS_ORIGIN")
            if environment.get(name)
        }
    except ConfigurationError as error:
        raise DeployError(f"{error} (.chalice/config.json, stage {stage.name})") from None
    return checked.get("SITE_ORIGIN")


def _domain(session, environ):
    """DOMAIN and CERTIFICATE_ARN as a frontdoor.Domain, checked with ACM; None without."""
    name, certificate = environ.get("DOMAIN", "").strip(), environ.get("CERTIFICATE_ARN", "")
    if not name:
        if certificate:
            raise DeployError("CERTIFICATE_ARN without DOMAIN: name the domain it is for")
        return None
    if not certificate.strip():
        raise DeployError("DOMAIN needs CERTIFICATE_ARN: an ACM certificate in us-east-1")
    acm = session.client("acm", region_name=frontdoor.CERTIFICATE_REGION)
    return frontdoor.check_domain(acm, name, certificate.strip())


class FrontDoorSteps:
    """The stage's OAC, headers policy and distribution, for what is deployed so far."""

    def __init__(self, cloudfront, stage, bucket_domain, secret, log):
        self.cloudfront = cloudfront
        self.stage = stage
        self.bucket_domain = bucket_domain
        self.secret = secret
        self.log = log

    def open(self, endpoints, domain):
        """The distribution, with the API behind /api/* once ``endpoints`` are known."""
        name = self.stage.site_name
        oac = frontdoor.ensure_origin_access_control(self.cloudfront, name, self.log)
        websocket_url = endpoints.websocket_url if endpoints else None
        policy = frontdoor.ensure_headers_policy(
            self.cloudfront, f"{name}-headers", websocket_url, self.log
        )
        api_origin = None
        if endpoints is not None:
            host = urllib.parse.urlsplit(endpoints.api_url).hostname
            api_origin = frontdoor.Api(host, self.secret)
        config = frontdoor.distribution_config(
            comment=name,
            reference=f"{name}-{time.time_ns()}",
            bucket_domain=self.bucket_domain,
            oac_id=oac,
            headers_policy_id=policy,
            api=api_origin,
            domain=domain,
        )
        return frontdoor.ensure_distribution(
            self.cloudfront, config, keep_domain=domain is None, log=self.log
        )


@dataclass(frozen=True)
class Addresses:
    """Where the stage's links point (SITE_ORIGIN) and whom its emails come from."""

    site_origin: str
    sender: str


def deploy_api(stage, origins, specs, region, log=print, vendor=None):
    """chalice deploy with what only a deploy knows; twice when it creates an API.

    A new API's URL (and the WebSocket API's id, which the policy names) exist only once
    chalice has created it, so the Lambdas get AUTHY_CALLBACK_URL, WEBSOCKET_MANAGEMENT_URL
    and the right to post to sockets from a second run. ``origins`` (``Addresses``) says
    SITE_ORIGIN and EMAIL_FROM, which the REST API's policy names as its one sender.
    """
    known = api.deployed_endpoints(stage.name)
    endpoints = api.deploy(
        stage,
        lambda_settings(stage, origins, known, vendor),
        deployed_policies(stage, specs, known, origins.sender),
        region,
    )
    if endpoints != known:
        log(
            "new API: deploying again to give the Lambdas AUTHY_CALLBACK_URL, "
            "WEBSOCKET_MANAGEMENT_URL and ManageConnections on this WebSocket API"
        )
        again = api.deploy(
            stage,
            lambda_settings(stage, origins, endpoints, vendor),
            deployed_policies(stage, specs, endpoints, origins.sender),
            region,
        )
        if again != endpoints:
            raise DeployError(f"chalice replaced the APIs it had just created: {again}")
    return endpoints


def lambda_settings(stage, origins, endpoints, vendor=None):
    """The variables the deploy adds to every Lambda of the stage, given what is deployed.

    ``vendor`` is what vendor_setup stored for the stage's vendor (parameter names, ids).
    """
    environment = {
        "SITE_ORIGIN": origins.site_origin,
        "EMAIL_FROM": origins.sender,
        "EDGE_SECRET_PARAM": stage.edge_secret_name,
        **(vendor if vendor is not None else {"AUTHY_API_KEY_PARAM": stage.parameter_name}),
    }
    if endpoints is not None:
        if stage.provider == "authy":
            environment["AUTHY_CALLBACK_URL"] = callback_url(endpoints.api_url)
        if endpoints.websocket_management_url:
            environment["WEBSOCKET_MANAGEMENT_URL"] = endpoints.websocket_management_url
    return environment


def deployed_policies(stage, specs, endpoints, sender):
    """``{function: policy text}`` for chalice: the committed ones with this WebSocket API's
    id and the stage's sender in them."""
    websocket_api_id = endpoints.websocket_api_id if endpoints else None
    policies = lambda_policies(stage, specs, websocket_api_id=websocket_api_id, sender=sender)
    return {function: policy_text(policy) for function, policy in policies.items()}


def destroy(
    stage_name,
    delete_tables=False,
    delete_secret=False,
    environ=None,
    session=None,
    log=print,
    poll_seconds=30,
):
    """Remove the Lambdas, both APIs, the distribution and the bucket; tables and secrets
    only when asked. CloudFront deletes a distribution minutes after disabling it: this
    waits."""
    environ = os.environ if environ is None else environ
    session = session or _session(environ)
    stage = load_stage(stage_name)
    region = session.region_name
    account = session.client("sts").get_caller_identity()["Account"]
    if not api.delete(stage, region):
        log(f"nothing deployed recorded for {stage.name} in .chalice/deployed/")
    names = {
        "headers_policy": f"{stage.site_name}-headers",
        "origin_access_control": stage.site_name,
    }
    cloudfront = session.client("cloudfront")
    if not frontdoor.delete_front_door(cloudfront, stage.site_name, names, log, poll_seconds):
        log(f"distribution {stage.site_name}: none")
    bucket = stage.bucket_name(account, region)
    if not buckets.delete_bucket(session.client("s3"), bucket, log):
        log(f"bucket {bucket}: none")
    if delete_tables:
        tables.delete_tables(session.client("dynamodb"), schema.table_specs(stage), log)
    else:
        log(f"tables {stage.table_prefix}-*: kept (--delete-tables deletes them)")
    for name in stage.parameter_names:
        if not delete_secret:
            log(f"parameter {name}: kept (--delete-secret deletes it)")
        elif parameters.delete(session.client("ssm"), name):
            log(f"parameter {name}: deleted")


def write_policies(stage_names, check=False, log=print):
    """Write ``.chalice/policy-<stage>[-<function>].json``; with ``check``, only say which
    are stale."""
    stale = []
    for name in stage_names:
        stage = load_stage(name)
        for path, text in _committed_policies(stage, schema.table_specs(stage)):
            if path.is_file() and path.read_text() == text:
                continue
            stale.append(path)
            if not check:
                path.write_text(text)
                log(f"wrote {path.relative_to(path.parents[1])}")
    return stale


def _committed_policies(stage, specs):
    """``(path, text)`` of each function's policy file as it should be committed."""
    policies = lambda_policies(stage, specs)
    return [(policy_file(stage.name, f), policy_text(policies[f])) for f in FUNCTIONS]


def _check_committed_policy(stage, specs, log):
    for path, text in _committed_policies(stage, specs):
        if not path.is_file() or path.read_text() != text:
            log(
                f"note: {path.name} is stale; deploying the policy MODELS needs. "
                "Run `python -m deploy policy` and commit the file."
            )


def _session(environ):
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    session = boto3.session.Session(region_name=region)
    if not session.region_name:
        raise DeployError("no AWS region: set AWS_REGION (or a region in ~/.aws/config)")
    return session


def _summary(stage_name, urls):
    lines = [
        f"{stage_name} is deployed.",
        f"  site: {urls['site']}/   (SITE_ORIGIN; the API is {urls['site']}/api/...)",
        f"  CloudFront: {urls['distribution']}",
        f"  API (direct): {urls['api']}",
        f"  WebSocket: {urls['websocket'] or 'none (the pages poll)'}",
    ]
    if urls.get("callback"):
        lines += [
            "Authy console → your application → OneTouch → callback URL, exactly:",
            f"  {urls['callback']}",
        ]
    if urls.get("verify_service"):
        lines.append(f"  Twilio Verify Service: {urls['verify_service']}")
    lines.append("A new or changed distribution takes a few minutes to reach every edge.")
    if urls["dns"]:
        lines += ["At your DNS provider (once):", *[f"  {record}" for record in urls["dns"]]]
    return "\n".join(lines)


def _confirm(stage_name, delete_tables):
    if not sys.stdin.isatty():
        raise DeployError("destroy asks for confirmation: run it in a terminal or pass --yes")
    what = "Lambdas, APIs, site and ALL ITS DATA" if delete_tables else "Lambdas, APIs and site"
    what += " (CloudFront takes minutes to delete a distribution; this waits)"
    answer = input(f"This deletes the {stage_name} {what}. Type {stage_name!r} to go on: ")
    if answer.strip() != stage_name:
        raise DeployError("not confirmed; nothing deleted")


def parser():
    top = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    deploy = commands.add_parser(
        "up",
        help="create or update everything for a stage",
        description="From the environment: EMAIL_FROM (the stage's sender, a verified SES "
        "identity), AUTHY_API_KEY (the first time), and DOMAIN with CERTIFICATE_ARN (an "
        "issued ACM certificate in us-east-1) for a custom domain.",
    )
    deploy.add_argument("--stage", choices=STAGES, required=True)
    remove = commands.add_parser("destroy", help="remove the Lambdas, the APIs and the site")
    remove.add_argument("--stage", choices=STAGES, required=True)
    remove.add_argument("--delete-tables", action="store_true", help="and the stage's data")
    remove.add_argument(
        "--delete-secret", action="store_true", help="and the Authy key and edge secret"
    )
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    release = commands.add_parser("unlock", help="lift an account's wrong-code lock")
    release.add_argument("--stage", choices=STAGES, required=True)
    release.add_argument("--email", required=True)
    policy = commands.add_parser("policy", help="write .chalice/policy-<stage>.json")
    policy.add_argument("--stage", choices=STAGES, action="append", help="default: all")
    policy.add_argument("--check", action="store_true", help="fail if a file is stale")
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        if args.command == "up":
            print(_summary(args.stage, up(args.stage)))
        elif args.command == "unlock":
            unlock(args.stage, args.email)
        elif args.command == "destroy":
            if not args.yes:
                _confirm(args.stage, args.delete_tables)
            destroy(args.stage, args.delete_tables, args.delete_secret)
        elif write_policies(args.stage or STAGES, check=args.check) and args.check:
            sys.exit("stale IAM policy files: run `python -m deploy policy` and commit them")
    except DeployError as error:
        sys.exit(f"deploy: {error}")
    except (BotoCoreError, ClientError) as error:
        sys.exit(f"deploy: AWS: {error}")
