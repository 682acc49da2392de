"""The Lambdas' IAM policy for a stage, derived from MODELS: least privilege, no autogen.

Region and account are wildcards so the committed file is the same on every machine; the
names are exact, so the roles reach this stage's tables, indexes and parameter only.

Pushing to a browser's socket (``execute-api:ManageConnections``) is granted on the
@connections of this stage's WebSocket API only. Its id exists once chalice has created
the API, so the committed file names it ``__WEBSOCKET_API_ID__`` (which matches no API)
and the deploy fills in the id from ``.chalice/deployed/<stage>.json``, as it fills in
SITE_ORIGIN. A ``*`` there would reach every stage's sockets: dev and prod share the API
Gateway stage name.
"""

import json

from deploy.project import CHALICE_DIR

# What chalicelib's PynamoDB calls send at run time: get → GetItem, save → PutItem,
# update → UpdateItem, delete → DeleteItem, Model.query / Index.query → Query; a
# TransactWrite needs each of its items' actions, ConditionCheckItem included. PynamoDB 6
# builds its table metadata from the model, so no DescribeTable (tests/deploy checks this
# list against chalicelib's code).
ITEM_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:Query",
)
INDEX_ACTIONS = ("dynamodb:Query",)
LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
WEBSOCKET_API_ID_PLACEHOLDER = "__WEBSOCKET_API_ID__"


def table_arn(name):
    return f"arn:aws:dynamodb:*:*:table/{name}"


def parameter_arn(name):
    return f"arn:aws:ssm:*:*:parameter/{name.lstrip('/')}"


def connections_arn(websocket_api_id, api_gateway_stage):
    """POST to any connection of one WebSocket API's stage (what post_to_connection needs)."""
    return f"arn:aws:execute-api:*:*:{websocket_api_id}/{api_gateway_stage}/POST/@connections/*"


def lambda_policy(stage, specs, websocket_api_id=WEBSOCKET_API_ID_PLACEHOLDER):
    """The policy document for ``stage`` (project.Stage) over ``specs`` (schema.TableSpec).

    ``websocket_api_id`` None leaves out the socket statement (no WebSocket API yet).
    """
    index_arns = [
        f"{table_arn(spec.name)}/index/{index}" for spec in specs for index in spec.index_names
    ]
    statements = [
        _allow("Tables", ITEM_ACTIONS, [table_arn(spec.name) for spec in specs]),
        _allow("Indexes", INDEX_ACTIONS, index_arns) if index_arns else None,
        _allow("AuthyKey", ["ssm:GetParameter"], [parameter_arn(stage.parameter_name)]),
        _allow(
            "AuthyKeyDecrypt",
            ["kms:Decrypt"],
            ["arn:aws:kms:*:*:key/*"],
            condition={
                "StringLike": {
                    "kms:ViaService": "ssm.*.amazonaws.com",
                    "kms:EncryptionContext:PARAMETER_ARN": parameter_arn(stage.parameter_name),
                }
            },
        ),
        _allow("Logs", LOG_ACTIONS, _log_group_arns(stage)),
        _allow(
            "WebSocketPush",
            ["execute-api:ManageConnections"],
            [connections_arn(websocket_api_id, stage.api_gateway_stage)],
        )
        if websocket_api_id
        else None,
    ]
    return {"Version": "2012-10-17", "Statement": [s for s in statements if s]}


def _log_group_arns(stage):
    groups = [f"/aws/lambda/{stage.function_prefix}", f"/aws/lambda/{stage.function_prefix}-*"]
    arns = []
    for group in groups:
        arns += [f"arn:aws:logs:*:*:log-group:{group}", f"arn:aws:logs:*:*:log-group:{group}:*"]
    return arns


def _allow(sid, actions, resources, condition=None):
    statement = {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def policy_file(stage_name, chalice_dir=CHALICE_DIR):
    """Where chalice looks for the stage's policy (its default ``iam_policy_file``)."""
    return chalice_dir / f"policy-{stage_name}.json"


def policy_text(policy):
    """The policy as it is committed: stable key order, two-space indent, final newline."""
    return json.dumps(policy, indent=2) + "\n"
