"""Reading the generated IAM policies in tests: what one allows, and least privilege.

A need is ``(action, resource)`` as tests/deploy/code_reach.py finds them in the code.
"""

import fnmatch
import re

from deploy.policy import (
    EVERY_TABLE,
    SENDER_PLACEHOLDER,
    WEBSOCKET_API_ID_PLACEHOLDER,
    identity_arns,
    parameter_arn,
    table_arn,
)

REGION, ACCOUNT = "eu-west-1", "123456789012"
# One WebSocket API (no wildcard in its id), one API Gateway stage, POST to any connection.
CONNECTIONS = re.compile(
    r"^arn:aws:execute-api:\*:\*:[A-Za-z0-9_]+/[A-Za-z0-9_-]+/POST/@connections/\*$"
)
# One SES identity, named whole: an address or a domain, no wildcard.
IDENTITY = re.compile(r"^arn:aws:ses:\*:\*:identity/[A-Za-z0-9_.@+-]+$")


def _concrete(arn):
    """A policy's ARN pattern with this test's region and account in place of ``*``."""
    parts = arn.split(":", 5)
    parts[3] = REGION if parts[3] == "*" else parts[3]
    parts[4] = ACCOUNT if parts[4] == "*" else parts[4]
    return ":".join(parts)


def arns_needed(need, stage, specs):
    """The concrete ARNs a need acts on."""
    action, resource = need
    kind = resource[0]
    if kind in ("table", "index"):
        model = resource[1]
        chosen = [s for s in specs if model in (EVERY_TABLE, s.model)]
        if kind == "table":
            return [_concrete(table_arn(s.name)) for s in chosen]
        return [_concrete(f"{table_arn(s.name)}/index/{i}") for s in chosen for i in s.index_names]
    if kind == "parameters":
        return [_concrete(parameter_arn(name)) for name in stage.parameter_names]
    if kind == "mail":  # the address's own identity, or its domain's: either may be the one
        return [_concrete(arn) for arn in identity_arns(SENDER_PLACEHOLDER)]
    socket = f"arn:aws:execute-api:*:*:{WEBSOCKET_API_ID_PLACEHOLDER}/{stage.api_gateway_stage}"
    return [_concrete(f"{socket}/POST/@connections/Ab3dEfGh1jKlMnO=")]


def allows(policy, action, arn):
    """Whether some statement allows ``action`` on ``arn`` (conditions aside)."""
    return any(
        action in statement["Action"]
        and any(fnmatch.fnmatchcase(arn, pattern) for pattern in statement["Resource"])
        for statement in policy["Statement"]
    )


def missing(policy, needs, stage, specs):
    """The needs the policy does not allow; SSM reads also need KMS to decrypt, via SSM."""
    lacking = {
        need
        for need in needs
        if not all(allows(policy, need[0], arn) for arn in arns_needed(need, stage, specs))
    }
    if any(resource == ("parameters",) for _, resource in needs):
        decrypt = [s for s in policy["Statement"] if s["Action"] == ["kms:Decrypt"]]
        named = {
            arn
            for statement in decrypt
            for arn in _as_list(
                statement["Condition"]["StringLike"]["kms:EncryptionContext:PARAMETER_ARN"]
            )
        }
        if named != {parameter_arn(name) for name in stage.parameter_names}:
            lacking.add(("kms:Decrypt", ("parameters",)))
    return lacking


def granted(policy, stage, specs):
    """The needs a policy grants, read back from its ARNs (logs and KMS aside)."""
    tables = {table_arn(s.name): s.model for s in specs}
    indexes = {f"{table_arn(s.name)}/index/{i}": s.model for s in specs for i in s.index_names}
    parameters = {parameter_arn(name) for name in stage.parameter_names}
    found = set()
    for statement in policy["Statement"]:
        for action in statement["Action"]:
            if action.startswith(("logs:", "kms:")):
                continue
            for arn in statement["Resource"]:
                if arn in tables:
                    found.add((action, ("table", tables[arn])))
                elif arn in indexes:
                    found.add((action, ("index", indexes[arn])))
                elif arn in parameters:
                    found.add((action, ("parameters",)))
                elif CONNECTIONS.match(arn):
                    found.add((action, ("sockets",)))
                elif IDENTITY.match(arn):
                    found.add((action, ("mail",)))
                else:
                    raise AssertionError(f"{statement['Sid']} grants {action} on {arn}")
    return found


def assert_least_privilege(policy):
    """No ``*`` in any action; DynamoDB and SSM resources name their resources exactly.

    execute-api reaches @connections of one named WebSocket API and stage, nothing else.
    """
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = _as_list(statement["Action"])
        resources = _as_list(statement["Resource"])
        assert all("*" not in action for action in actions), statement
        assert "*" not in resources, statement
        if any(action.split(":")[0] in ("dynamodb", "ssm") for action in actions):
            for arn in resources:
                assert arn.split(":", 5)[5].count("*") == 0, arn
        if any(action.startswith("execute-api:") for action in actions):
            assert actions == ["execute-api:ManageConnections"], statement
            assert all(CONNECTIONS.match(arn) for arn in resources), statement
        if any(action.startswith("ses:") for action in actions):
            assert actions == ["ses:SendEmail"], statement
            assert all(IDENTITY.match(arn) for arn in resources), statement
            assert list(statement["Condition"]["StringEquals"]) == ["ses:FromAddress"], statement


def _as_list(value):
    return [value] if isinstance(value, str) else value
