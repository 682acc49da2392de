"""``python -m deploy up|destroy|policy --stage dev|prod``: the steps, in order."""

import argparse
import os
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from deploy import api, authy_key, schema, site, tables
from deploy import bucket as buckets
from deploy.errors import DeployError
from deploy.policy import FUNCTIONS, lambda_policies, policy_file, policy_text
from deploy.project import SITE_DIR, STAGES, load_stage

CALLBACK_PATH = "/authy/callback"


def callback_url(api_url):
    """The URL to enter in the Authy console; callback signatures cover it exactly."""
    return api_url.rstrip("/") + CALLBACK_PATH


def up(stage_name, environ=os.environ, session=None, log=print):
    """Tables, the Authy key, the APIs (with their settings), then the site; return the URLs."""
    session = session or _session(environ)
    stage = load_stage(stage_name)
    region = session.region_name
    account = session.client("sts").get_caller_identity()["Account"]
    specs = schema.table_specs(stage)
    tables.ensure_tables(session.client("dynamodb"), specs, log)
    if authy_key.ensure_api_key(
        session.client("ssm"), stage.parameter_name, environ.get("AUTHY_API_KEY")
    ):
        log(f"parameter {stage.parameter_name}: Authy API key stored (SecureString)")
    s3 = session.client("s3")
    bucket = stage.bucket_name(account, region)
    buckets.ensure_website_bucket(s3, bucket, region, log)
    site_origin = buckets.website_origin(bucket, region)
    _check_committed_policy(stage, specs, log)
    endpoints = deploy_api(stage, site_origin, specs, region, log)
    objects = site.site_objects(SITE_DIR, endpoints.websocket_url)
    site.publish(s3, bucket, objects, log)
    return {
        "api": endpoints.api_url,
        "websocket": endpoints.websocket_url,
        "site": site_origin,
        "callback": callback_url(endpoints.api_url),
    }


def deploy_api(stage, site_origin, specs, region, log=print):
    """chalice deploy with what only a deploy knows; twice when it creates an API.

    A new API's URL (and the WebSocket API's id, which the policy names) exist only once
    chalice has created it, so the Lambdas get AUTHY_CALLBACK_URL, WEBSOCKET_MANAGEMENT_URL
    and the right to post to sockets from a second run.
    """
    known = api.deployed_endpoints(stage.name)
    endpoints = api.deploy(
        stage,
        lambda_settings(stage, site_origin, known),
        deployed_policies(stage, specs, known),
        region,
    )
    if endpoints != known:
        log(
            "new API: deploying again to give the Lambdas AUTHY_CALLBACK_URL, "
            "WEBSOCKET_MANAGEMENT_URL and ManageConnections on this WebSocket API"
        )
        again = api.deploy(
            stage,
            lambda_settings(stage, site_origin, endpoints),
            deployed_policies(stage, specs, endpoints),
            region,
        )
        if again != endpoints:
            raise DeployError(f"chalice replaced the APIs it had just created: {again}")
    return endpoints


def lambda_settings(stage, site_origin, endpoints):
    """The variables the deploy adds to every Lambda of the stage, given what is deployed."""
    environment = {"SITE_ORIGIN": site_origin, "AUTHY_API_KEY_PARAM": stage.parameter_name}
    if endpoints is not None:
        environment["AUTHY_CALLBACK_URL"] = callback_url(endpoints.api_url)
        if endpoints.websocket_management_url:
            environment["WEBSOCKET_MANAGEMENT_URL"] = endpoints.websocket_management_url
    return environment


def deployed_policies(stage, specs, endpoints):
    """``{function: policy text}`` for chalice: the committed ones with this WebSocket API's
    id in them."""
    websocket_api_id = endpoints.websocket_api_id if endpoints else None
    policies = lambda_policies(stage, specs, websocket_api_id=websocket_api_id)
    return {function: policy_text(policy) for function, policy in policies.items()}


def destroy(
    stage_name,
    delete_tables=False,
    delete_secret=False,
    environ=os.environ,
    session=None,
    log=print,
):
    """Remove the Lambdas, both APIs and the site's bucket; tables and key only when asked."""
    session = session or _session(environ)
    stage = load_stage(stage_name)
    region = session.region_name
    account = session.client("sts").get_caller_identity()["Account"]
    if not api.delete(stage, region):
        log(f"nothing deployed recorded for {stage.name} in .chalice/deployed/")
    bucket = stage.bucket_name(account, region)
    if not buckets.delete_bucket(session.client("s3"), bucket, log):
        log(f"bucket {bucket}: none")
    if delete_tables:
        tables.delete_tables(session.client("dynamodb"), schema.table_specs(stage), log)
    else:
        log(f"tables {stage.table_prefix}-*: kept (--delete-tables deletes them)")
    if delete_secret:
        if authy_key.delete_api_key(session.client("ssm"), stage.parameter_name):
            log(f"parameter {stage.parameter_name}: deleted")
    else:
        log(f"parameter {stage.parameter_name}: kept (--delete-secret deletes it)")


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
    return "\n".join(
        [
            f"{stage_name} is deployed.",
            f"  site: {urls['site']}",
            f"  API:  {urls['api']}",
            f"  WebSocket: {urls['websocket'] or 'none (the pages poll)'}",
            "Authy console → your application → OneTouch → callback URL, exactly:",
            f"  {urls['callback']}",
            f"CORS and the WebSocket API allow one origin, SITE_ORIGIN = {urls['site']}, which",
            "this deploy set for the stage; serve the site from anywhere else and SITE_ORIGIN",
            "must follow.",
        ]
    )


def _confirm(stage_name, delete_tables):
    if not sys.stdin.isatty():
        raise DeployError("destroy asks for confirmation: run it in a terminal or pass --yes")
    what = "Lambdas, APIs, site and ALL ITS DATA" if delete_tables else "Lambdas, APIs and site"
    answer = input(f"This deletes the {stage_name} {what}. Type {stage_name!r} to go on: ")
    if answer.strip() != stage_name:
        raise DeployError("not confirmed; nothing deleted")


def parser():
    top = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    deploy = commands.add_parser("up", help="create or update everything for a stage")
    deploy.add_argument("--stage", choices=STAGES, required=True)
    remove = commands.add_parser("destroy", help="remove the Lambdas, the APIs and the site")
    remove.add_argument("--stage", choices=STAGES, required=True)
    remove.add_argument("--delete-tables", action="store_true", help="and the stage's data")
    remove.add_argument("--delete-secret", action="store_true", help="and the Authy key")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    policy = commands.add_parser("policy", help="write .chalice/policy-<stage>.json")
    policy.add_argument("--stage", choices=STAGES, action="append", help="default: all")
    policy.add_argument("--check", action="store_true", help="fail if a file is stale")
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        if args.command == "up":
            print(_summary(args.stage, up(args.stage)))
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
