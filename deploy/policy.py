"""The Lambdas' IAM policies for a stage, one per function: least privilege, no autogen.

chalice gives each Lambda a role of its own: the REST API's (``api_handler``) and the
WebSocket API's ``$connect``, ``$default`` and ``$disconnect`` handlers. ``REACH`` says what
each one's code does in AWS (tests/deploy/test_policy.py derives that from the code and
fails when they differ), and each role may do that and nothing more: ``$connect``, which
only compares an Origin header, may write its logs and nothing else.

Region and account are wildcards so the committed files are the same on every machine;
the names are exact, so the roles reach this stage's tables, indexes and parameter only.

Pushing to a browser's socket (``execute-api:ManageConnections``) is granted on the
@connections of this stage's WebSocket API only. Its id exists once chalice has created
the API, so the committed files name it ``__WEBSOCKET_API_ID__`` (which matches no API)
and the deploy fills in the id from ``.chalice/deployed/<stage>.json``, as it fills in
SITE_ORIGIN. A ``*`` there would reach every stage's sockets: dev and prod share the API
Gateway stage name.

Sending email (``ses:SendEmail``, SES v1's and v2's action alike) is granted on the
sender's identity only: the address EMAIL_FROM and its domain (SES authorises against
whichever of them is the verified identity), and only with that From address. The sender
is given to ``make deploy``, so the committed files name ``__EMAIL_FROM__@__EMAIL_FROM_DOMAIN__``
(no such identity exists) and the deploy fills it in.
"""

import json
from dataclasses import dataclass, field

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
SENDER_PLACEHOLDER = "__EMAIL_FROM__@__EMAIL_FROM_DOMAIN__"
MAIL_ACTIONS = ("ses:SendEmail",)
REST_FUNCTION = "api_handler"  # chalice's names for the stage's Lambdas
WEBSOCKET_FUNCTIONS = ("websocket_connect", "websocket_message", "websocket_disconnect")
FUNCTIONS = (REST_FUNCTION, *WEBSOCKET_FUNCTIONS)
EVERY_TABLE = "*"


@dataclass(frozen=True)
class Reach:
    """What one Lambda's code does in AWS."""

    tables: dict = field(default_factory=dict)  # model name (or EVERY_TABLE) → actions
    indexes: bool = False  # queries the tables' indexes
    parameters: bool = False  # reads the stage's SSM SecureStrings
    sockets: bool = False  # posts to browsers' sockets through @connections
    mail: bool = False  # sends email through SES, from EMAIL_FROM


REACH = {
    # signup, login, codes, callbacks, sessions, audit: every table; pushes end in sockets;
    # the signup's links, reset links and notices are emailed
    REST_FUNCTION: Reach(
        {EVERY_TABLE: ITEM_ACTIONS}, indexes=True, parameters=True, sockets=True, mail=True
    ),
    "websocket_connect": Reach(),  # compares the Origin header with SITE_ORIGIN
    "websocket_message": Reach(  # reads the watched challenge and notes the watch on it
        {"LoginChallenge": ("dynamodb:GetItem", "dynamodb:UpdateItem")},
        sockets=True,
    ),
    "websocket_disconnect": Reach(),  # forgets nothing: the id stays on its challenge
}


def table_arn(name):
    return f"arn:aws:dynamodb:*:*:table/{name}"


def parameter_arn(name):
    return f"arn:aws:ssm:*:*:parameter/{name.lstrip('/')}"


def identity_arns(sender):
    """The SES identities ``sender`` may be sent from: the address, and its domain."""
    return [f"arn:aws:ses:*:*:identity/{name}" for name in (sender, sender.rpartition("@")[2])]


def connections_arn(websocket_api_id, api_gateway_stage):
    """POST to any connection of one WebSocket API's stage (what post_to_connection needs)."""
    return f"arn:aws:execute-api:*:*:{websocket_api_id}/{api_gateway_stage}/POST/@connections/*"


def lambda_policy(
    stage,
    specs,
    function=REST_FUNCTION,
    websocket_api_id=WEBSOCKET_API_ID_PLACEHOLDER,
    sender=SENDER_PLACEHOLDER,
):
    """The policy document of ``function`` for ``stage`` (project.Stage) over ``specs``.

    ``websocket_api_id`` None leaves out the socket statement (no WebSocket API yet);
    ``sender`` is EMAIL_FROM, the one address the REST API may send email from.
    """
    reach = REACH[function]
    statements = _table_statements(reach, specs)
    if reach.indexes:
        index_arns = [
            f"{table_arn(spec.name)}/index/{index}" for spec in specs for index in spec.index_names
        ]
        statements.append(_allow("Indexes", INDEX_ACTIONS, index_arns) if index_arns else None)
    if reach.parameters:
        statements += _parameter_statements(stage)
    statements.append(_allow("Logs", LOG_ACTIONS, _log_group_arns(stage, function)))
    if reach.sockets and websocket_api_id:
        arn = connections_arn(websocket_api_id, stage.api_gateway_stage)
        statements.append(_allow("WebSocketPush", ["execute-api:ManageConnections"], [arn]))
    if reach.mail:
        statements.append(
            _allow(
                "SendEmail",
                MAIL_ACTIONS,
                identity_arns(sender),
                condition={"StringEquals": {"ses:FromAddress": sender}},
            )
        )
    return {"Version": "2012-10-17", "Statement": [s for s in statements if s]}


def lambda_policies(
    stage, specs, websocket_api_id=WEBSOCKET_API_ID_PLACEHOLDER, sender=SENDER_PLACEHOLDER
):
    """``{function: policy document}`` for every Lambda of the stage."""
    return {
        function: lambda_policy(stage, specs, function, websocket_api_id, sender)
        for function in FUNCTIONS
    }


def _table_statements(reach, specs):
    by_model = {spec.model: spec for spec in specs}
    if EVERY_TABLE in reach.tables:
        actions = reach.tables[EVERY_TABLE]
        return [_allow("Tables", actions, [table_arn(spec.name) for spec in specs])]
    unknown = set(reach.tables) - set(by_model)
    if unknown:
        raise ValueError(f"REACH names models that are not in MODELS: {sorted(unknown)}")
    return [
        _allow(f"Table{model}", actions, [table_arn(by_model[model].name)])
        for model, actions in reach.tables.items()
    ]


def _parameter_statements(stage):
    """Read the stage's SecureStrings, and decrypt them only as SSM does for them."""
    parameters = [parameter_arn(name) for name in stage.parameter_names]
    return [
        _allow("Parameters", ["ssm:GetParameter"], parameters),
        _allow(
            "ParametersDecrypt",
            ["kms:Decrypt"],
            ["arn:aws:kms:*:*:key/*"],
            condition={
                "StringLike": {
                    "kms:ViaService": "ssm.*.amazonaws.com",
                    "kms:EncryptionContext:PARAMETER_ARN": parameters,
                }
            },
        ),
    ]


def _log_group_arns(stage, function):
    group = f"/aws/lambda/{stage.function_name(function)}"
    return [f"arn:aws:logs:*:*:log-group:{group}", f"arn:aws:logs:*:*:log-group:{group}:*"]


def _allow(sid, actions, resources, condition=None):
    statement = {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def policy_file_name(stage_name, function=REST_FUNCTION):
    """The file in .chalice/: the stage's own for the REST API, one more per other function."""
    if function == REST_FUNCTION:
        return f"policy-{stage_name}.json"
    return f"policy-{stage_name}-{function}.json"


def policy_file(stage_name, function=REST_FUNCTION, chalice_dir=CHALICE_DIR):
    """Where chalice looks for ``function``'s policy (``iam_policy_file``)."""
    return chalice_dir / policy_file_name(stage_name, function)


def policy_text(policy):
    """The policy as it is committed: stable key order, two-space indent, final newline."""
    return json.dumps(policy, indent=2) + "\n"
