"""deploy.policy: least privilege from MODELS, and the committed files are the generated ones."""

import ast
import json
import pathlib
import re

import pytest

from deploy.cli import write_policies
from deploy.policy import WEBSOCKET_API_ID_PLACEHOLDER, lambda_policy, policy_file, policy_text
from deploy.project import ROOT, STAGES, load_stage
from deploy.schema import table_specs

# PynamoDB calls → the DynamoDB actions they send (PynamoDB 6; see deploy/policy.py).
CALL_ACTIONS = {
    "get": {"dynamodb:GetItem"},
    "refresh": {"dynamodb:GetItem"},
    "save": {"dynamodb:PutItem"},
    "update": {"dynamodb:UpdateItem"},
    "delete": {"dynamodb:DeleteItem"},
    "query": {"dynamodb:Query"},
    "scan": {"dynamodb:Scan"},
    "batch_get": {"dynamodb:BatchGetItem"},
    "batch_write": {"dynamodb:BatchWriteItem"},
    "describe_table": {"dynamodb:DescribeTable"},
    "get_or_none": {"dynamodb:GetItem"},
}
MODEL_CALL_ACTIONS = {"exists": {"dynamodb:DescribeTable"}}  # Model.exists(), not attr.exists()
NAME_ACTIONS = {
    "TransactGet": {"dynamodb:GetItem"},
    "TransactWrite": {
        "dynamodb:ConditionCheckItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    },
}
SETUP_ONLY = {"create_tables"}  # chalicelib.models' helper for tests and devstack
# One WebSocket API (no wildcard in its id), one API Gateway stage, POST to any connection.
CONNECTIONS = re.compile(
    r"^arn:aws:execute-api:\*:\*:[A-Za-z0-9_]+/[A-Za-z0-9_-]+/POST/@connections/\*$"
)


def _runtime_sources():
    yield ROOT / "app.py"
    yield from sorted((ROOT / "chalicelib").rglob("*.py"))


class _Calls(ast.NodeVisitor):
    def __init__(self):
        self.actions = set()

    def visit_FunctionDef(self, node):  # noqa: N802 - ast's name
        if node.name not in SETUP_ONLY:
            self.generic_visit(node)

    def visit_Call(self, node):  # noqa: N802
        function = node.func
        if isinstance(function, ast.Attribute):
            self.actions |= CALL_ACTIONS.get(function.attr, set())
            if function.attr == "count":
                # Model.count() without a hash key describes the table; with one it queries
                self.actions |= {"dynamodb:Query"} if node.args else {"dynamodb:DescribeTable"}
            if isinstance(function.value, ast.Name) and function.value.id[:1].isupper():
                self.actions |= MODEL_CALL_ACTIONS.get(function.attr, set())
        self.generic_visit(node)

    def visit_Name(self, node):  # noqa: N802
        self.actions |= NAME_ACTIONS.get(node.id, set())


def _actions_the_code_needs():
    calls = _Calls()
    for path in _runtime_sources():
        calls.visit(ast.parse(path.read_text(), filename=str(path)))
    return calls.actions


def _statements(policy):
    return {statement["Sid"]: statement for statement in policy["Statement"]}


@pytest.fixture(scope="module", params=STAGES)
def stage_policy(request):
    stage = load_stage(request.param)
    specs = table_specs(stage)
    return stage, specs, lambda_policy(stage, specs)


def test_the_committed_policy_files_are_the_generated_ones(stage_policy):
    stage, _, policy = stage_policy
    path = policy_file(stage.name)
    assert path.is_file(), f"missing {path}: run `python -m deploy policy`"
    assert path.read_text() == policy_text(policy), "stale: run `python -m deploy policy`"


def test_policy_check_reports_nothing_stale():
    assert write_policies(STAGES, check=True) == []


def test_each_table_of_the_stage_and_no_other(stage_policy):
    stage, specs, policy = stage_policy
    tables = _statements(policy)["Tables"]["Resource"]
    assert tables == [f"arn:aws:dynamodb:*:*:table/{spec.name}" for spec in specs]
    indexes = _statements(policy)["Indexes"]["Resource"]
    assert indexes == [
        f"arn:aws:dynamodb:*:*:table/{spec.name}/index/{name}"
        for spec in specs
        for name in spec.index_names
    ]
    other = "prod" if stage.name == "dev" else "dev"
    assert f"twofold-{other}-" not in json.dumps(policy)


def test_no_wildcard_action_and_no_wildcard_dynamodb_or_ssm_resource(stage_policy):
    _, _, policy = stage_policy
    assert_least_privilege(policy)


def test_the_key_is_readable_only_through_ssm(stage_policy):
    stage, _, policy = stage_policy
    statements = _statements(policy)
    parameter = f"arn:aws:ssm:*:*:parameter/twofold/{stage.name}/authy-api-key"
    assert statements["AuthyKey"]["Action"] == ["ssm:GetParameter"]
    assert statements["AuthyKey"]["Resource"] == [parameter]
    decrypt = statements["AuthyKeyDecrypt"]
    assert decrypt["Action"] == ["kms:Decrypt"]
    assert decrypt["Condition"]["StringLike"]["kms:ViaService"] == "ssm.*.amazonaws.com"
    assert decrypt["Condition"]["StringLike"]["kms:EncryptionContext:PARAMETER_ARN"] == parameter


def test_logs_only_for_the_stages_functions(stage_policy):
    stage, _, policy = stage_policy
    for arn in _statements(policy)["Logs"]["Resource"]:
        assert arn.startswith(f"arn:aws:logs:*:*:log-group:/aws/lambda/twofold-{stage.name}")


def test_sockets_are_pushed_to_only_through_this_stages_websocket_api(stage_policy):
    stage, _, policy = stage_policy
    push = _statements(policy)["WebSocketPush"]
    assert push["Action"] == ["execute-api:ManageConnections"]
    assert push["Resource"] == [
        f"arn:aws:execute-api:*:*:{WEBSOCKET_API_ID_PLACEHOLDER}/{stage.api_gateway_stage}"
        "/POST/@connections/*"
    ]
    others = [s for s in policy["Statement"] if s is not push]
    assert not [s for s in others if any(a.startswith("execute-api:") for a in s["Action"])]


@pytest.mark.parametrize("websocket_api_id", ["a1b2c3d4e5", None])
def test_the_deploy_names_its_websocket_api_and_changes_nothing_else(
    stage_policy, websocket_api_id
):
    stage, specs, committed = stage_policy
    deployed = lambda_policy(stage, specs, websocket_api_id=websocket_api_id)
    statements = _statements(deployed)
    if websocket_api_id is None:  # no WebSocket API yet: no right to post anywhere
        assert "WebSocketPush" not in statements
    else:
        assert statements["WebSocketPush"]["Resource"] == [
            f"arn:aws:execute-api:*:*:a1b2c3d4e5/{stage.api_gateway_stage}/POST/@connections/*"
        ]
    assert_least_privilege(deployed)
    others = [s for s in committed["Statement"] if s["Sid"] != "WebSocketPush"]
    assert [s for s in deployed["Statement"] if s["Sid"] != "WebSocketPush"] == others


def test_the_policy_allows_every_dynamodb_action_the_code_sends(stage_policy):
    _, _, policy = stage_policy
    needed = _actions_the_code_needs()
    assert "dynamodb:GetItem" in needed and "dynamodb:Query" in needed  # the scan sees calls
    assert needed <= set(_statements(policy)["Tables"]["Action"])


def assert_least_privilege(policy):
    """No ``*`` in any action; DynamoDB and SSM resources name their resources exactly.

    execute-api reaches @connections of one named WebSocket API and stage, nothing else.
    """
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        resources = statement["Resource"]
        resources = [resources] if isinstance(resources, str) else resources
        assert all("*" not in action for action in actions), statement
        assert "*" not in resources, statement
        if any(action.split(":")[0] in ("dynamodb", "ssm") for action in actions):
            for arn in resources:
                assert arn.split(":", 5)[5].count("*") == 0, arn
        if any(action.startswith("execute-api:") for action in actions):
            assert actions == ["execute-api:ManageConnections"], statement
            assert all(CONNECTIONS.match(arn) for arn in resources), statement


def test_the_scan_would_see_a_new_kind_of_call():
    calls = _Calls()
    calls.visit(ast.parse("User.scan()\nUser.count()\nUser.email.exists()\n"))
    assert calls.actions == {"dynamodb:Scan", "dynamodb:DescribeTable"}
    calls = _Calls()
    calls.visit(ast.parse("def create_tables():\n    User.exists()\n"))
    assert calls.actions == set()


def test_policy_command_writes_the_files(tmp_path, monkeypatch):
    import deploy.cli

    written = {}
    monkeypatch.setattr(deploy.cli, "policy_file", lambda name: tmp_path / f"policy-{name}.json")
    assert write_policies(["dev"], log=lambda line: written.setdefault("line", line)) == [
        tmp_path / "policy-dev.json"
    ]
    assert json.loads((tmp_path / "policy-dev.json").read_text())["Version"] == "2012-10-17"
    assert write_policies(["dev"]) == []  # up to date now
    assert pathlib.Path(written["line"].split()[-1]).name == "policy-dev.json"


@pytest.mark.parametrize(
    ("actions", "arn"),
    [
        (["execute-api:ManageConnections"], "arn:aws:execute-api:*:*:*/api/POST/@connections/*"),
        (["execute-api:ManageConnections"], "arn:aws:execute-api:*:*:a1b2c3d4e5/*"),
        (["execute-api:ManageConnections"], "arn:aws:execute-api:*:*:a1b2c3d4e5/api/*"),
        (["execute-api:Invoke"], "arn:aws:execute-api:*:*:a1b2c3d4e5/api/POST/@connections/*"),
        (["execute-api:*"], "arn:aws:execute-api:*:*:a1b2c3d4e5/api/POST/@connections/*"),
    ],
)
def test_least_privilege_refuses_a_broader_socket_grant(actions, arn):
    statement = {"Sid": "WebSocketPush", "Effect": "Allow", "Action": actions, "Resource": [arn]}
    with pytest.raises(AssertionError):
        assert_least_privilege({"Version": "2012-10-17", "Statement": [statement]})
