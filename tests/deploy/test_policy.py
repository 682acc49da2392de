"""deploy.policy: a least-privilege policy per Lambda, checked against what its code does.

tests/deploy/code_reach.py reads app.py and chalicelib and finds, per Lambda, every AWS
action its code can send; each Lambda's generated policy must allow exactly that (the
REST API's keeps its rights on every table). So a new PynamoDB call in, say,
``watchers._token_of`` fails here until REACH in deploy/policy.py grants it to
``$default``, and only to it.
"""

import json
import pathlib
import shutil

import pytest

from deploy.cli import write_policies
from deploy.policy import (
    FUNCTIONS,
    REACH,
    REST_FUNCTION,
    SENDER_PLACEHOLDER,
    WEBSOCKET_API_ID_PLACEHOLDER,
    WEBSOCKET_FUNCTIONS,
    lambda_policies,
    lambda_policy,
    policy_file,
    policy_text,
)
from deploy.project import ROOT, STAGES, load_stage
from deploy.schema import table_specs
from tests.deploy.code_reach import Program
from tests.deploy.iam import assert_least_privilege, granted, missing


@pytest.fixture(scope="module")
def program():
    return Program(ROOT)


@pytest.fixture(scope="module", params=STAGES)
def stage_specs(request):
    stage = load_stage(request.param)
    return stage, table_specs(stage)


@pytest.fixture(params=FUNCTIONS)
def function(request):
    return request.param


def _statements(policy):
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def test_the_committed_policy_files_are_the_generated_ones(stage_specs, function):
    stage, specs = stage_specs
    path = policy_file(stage.name, function)
    assert path.is_file(), f"missing {path}: run `python -m deploy policy`"
    text = policy_text(lambda_policy(stage, specs, function))
    assert path.read_text() == text, "stale: run `python -m deploy policy`"


def test_policy_check_reports_nothing_stale():
    assert write_policies(STAGES, check=True) == []


def test_each_lambda_may_do_what_its_code_does(program, stage_specs, function):
    stage, specs = stage_specs
    needs = program.needs(function)
    assert missing(lambda_policy(stage, specs, function), needs, stage, specs) == set()


@pytest.mark.parametrize("function", WEBSOCKET_FUNCTIONS)
def test_the_websocket_handlers_may_do_nothing_more(program, stage_specs, function):
    stage, specs = stage_specs
    assert granted(lambda_policy(stage, specs, function), stage, specs) == program.needs(function)


def test_connect_only_writes_its_logs(stage_specs):
    """F8: $connect compares an Origin header; it can read no table, key or socket."""
    stage, specs = stage_specs
    (logs,) = lambda_policy(stage, specs, "websocket_connect")["Statement"]
    assert logs["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    group = f"arn:aws:logs:*:*:log-group:/aws/lambda/twofold-{stage.name}-websocket_connect"
    assert logs["Resource"] == [group, f"{group}:*"]


def test_the_rest_api_keeps_every_table_and_its_indexes(stage_specs):
    stage, specs = stage_specs
    statements = _statements(lambda_policy(stage, specs, REST_FUNCTION))
    assert statements["Tables"]["Resource"] == [
        f"arn:aws:dynamodb:*:*:table/{spec.name}" for spec in specs
    ]
    assert statements["Indexes"]["Resource"] == [
        f"arn:aws:dynamodb:*:*:table/{spec.name}/index/{name}"
        for spec in specs
        for name in spec.index_names
    ]
    other = "prod" if stage.name == "dev" else "dev"
    assert f"twofold-{other}-" not in json.dumps(lambda_policies(stage, specs))


def test_no_wildcard_action_and_no_wildcard_dynamodb_or_ssm_resource(stage_specs, function):
    stage, specs = stage_specs
    assert_least_privilege(lambda_policy(stage, specs, function))


def test_the_key_is_readable_only_by_the_rest_api_and_only_through_ssm(stage_specs):
    stage, specs = stage_specs
    for function, policy in lambda_policies(stage, specs).items():
        statements = _statements(policy)
        if function != REST_FUNCTION:
            assert not {"Parameters", "ParametersDecrypt"} & set(statements), function
            continue
        parameter = f"arn:aws:ssm:*:*:parameter/twofold/{stage.name}/authy-api-key"
        assert statements["Parameters"]["Action"] == ["ssm:GetParameter"]
        assert parameter in statements["Parameters"]["Resource"]
        condition = statements["ParametersDecrypt"]["Condition"]["StringLike"]
        assert statements["ParametersDecrypt"]["Action"] == ["kms:Decrypt"]
        assert condition["kms:ViaService"] == "ssm.*.amazonaws.com"
        assert (
            condition["kms:EncryptionContext:PARAMETER_ARN"]
            == (statements["Parameters"]["Resource"])
        )


def test_each_lambda_writes_only_its_own_logs(stage_specs, function):
    stage, specs = stage_specs
    group = f"arn:aws:logs:*:*:log-group:/aws/lambda/{stage.function_name(function)}"
    logs = _statements(lambda_policy(stage, specs, function))["Logs"]
    assert logs["Resource"] == [group, f"{group}:*"]


def test_sockets_are_pushed_to_only_through_this_stages_websocket_api(stage_specs):
    stage, specs = stage_specs
    pushing = {
        function
        for function, policy in lambda_policies(stage, specs).items()
        if "WebSocketPush" in _statements(policy)
    }
    assert pushing == {REST_FUNCTION, "websocket_message"}
    for function in pushing:
        push = _statements(lambda_policy(stage, specs, function))["WebSocketPush"]
        assert push["Action"] == ["execute-api:ManageConnections"]
        assert push["Resource"] == [
            f"arn:aws:execute-api:*:*:{WEBSOCKET_API_ID_PLACEHOLDER}/{stage.api_gateway_stage}"
            "/POST/@connections/*"
        ]


@pytest.mark.parametrize("websocket_api_id", ["a1b2c3d4e5", None])
def test_the_deploy_names_its_websocket_api_and_changes_nothing_else(
    stage_specs, function, websocket_api_id
):
    stage, specs = stage_specs
    committed = lambda_policy(stage, specs, function)
    deployed = lambda_policy(stage, specs, function, websocket_api_id=websocket_api_id)
    statements = _statements(deployed)
    if websocket_api_id is None:  # no WebSocket API yet: no right to post anywhere
        assert "WebSocketPush" not in statements
    elif "WebSocketPush" in statements:
        assert statements["WebSocketPush"]["Resource"] == [
            f"arn:aws:execute-api:*:*:a1b2c3d4e5/{stage.api_gateway_stage}/POST/@connections/*"
        ]
    assert_least_privilege(deployed)
    others = [s for s in committed["Statement"] if s["Sid"] != "WebSocketPush"]
    assert [s for s in deployed["Statement"] if s["Sid"] != "WebSocketPush"] == others


def test_reach_names_only_models_that_exist(stage_specs):
    _, specs = stage_specs
    models = {spec.model for spec in specs} | {"*"}
    assert {model for reach in REACH.values() for model in reach.tables} <= models


# --- the scan sees what code does ------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A copy of app.py and chalicelib/ to change: ``project(module, source)`` appends."""
    shutil.copy(ROOT / "app.py", tmp_path / "app.py")
    shutil.copytree(ROOT / "chalicelib", tmp_path / "chalicelib")

    def change(module, source):
        path = tmp_path / module
        path.write_text(path.read_text() + "\n" + source)
        return Program(tmp_path)

    return change


@pytest.mark.parametrize(
    ("function", "source", "need"),
    [
        (  # a new read in $disconnect's code
            "websocket_message",
            "def _token_of(connection_id):\n    User.get(connection_id)\n",
            ("dynamodb:GetItem", ("table", "User")),
        ),
        (  # an item read, then written back
            "websocket_message",
            "def _token_of(message):\n    user = User.get(message)\n    user.save()\n",
            ("dynamodb:PutItem", ("table", "User")),
        ),
        (  # the key, read where $connect looks: the settings' property reads SSM
            "websocket_connect",
            "def origin_allowed(headers):\n    return settings().authy_api_key\n",
            ("ssm:GetParameter", ("parameters",)),
        ),
        (  # an index query
            "websocket_message",
            "def _token_of(connection_id):\n"
            "    for key in LoginChallenge.onetouch_index.query(connection_id):\n"
            "        pass\n",
            ("dynamodb:Query", ("index", "LoginChallenge")),
        ),
        (  # an update on an item whose model cannot be told: every table
            "websocket_message",
            "def _token_of(connection_id):\n    thing(connection_id).update(actions=[])\n",
            ("dynamodb:UpdateItem", ("table", "*")),
        ),
        (  # a conditional write through storage.write_if
            "websocket_message",
            "def _token_of(connection_id):\n"
            "    storage.write_if(User(email=connection_id).update, actions=[])\n",
            ("dynamodb:UpdateItem", ("table", "User")),
        ),
        (  # one write of a storage.Transaction, on a parameter's transaction
            "websocket_message",
            "def _token_of(connection_id, transaction=None):\n"
            "    transaction.save('x', LoginChallenge(token_hash=connection_id))\n",
            ("dynamodb:PutItem", ("table", "LoginChallenge")),
        ),
    ],
)
def test_a_new_call_fails_until_its_functions_policy_allows_it(project, function, source, need):
    imports = "from chalicelib import storage\nfrom chalicelib.models import LoginChallenge, User\n"
    changed = project("chalicelib/second_step/watchers.py", imports + source)
    assert need in changed.needs(function)
    stage = load_stage("prod")
    specs = table_specs(stage)
    assert need in missing(lambda_policy(stage, specs, function), {need}, stage, specs)


def test_calls_that_send_nothing_are_not_counted(project):
    changed = project(
        "chalicelib/second_step/watchers.py",
        "from chalicelib.models import User\n"
        "def _token_of(message):\n"
        "    flags = set()\n"
        "    flags.update(['x'])\n"
        "    {}.get('a')\n"
        "    User.email.exists()\n"
        "    User(email=message).delete()\n",
    )
    assert changed.needs("websocket_message") == {
        ("dynamodb:GetItem", ("table", "LoginChallenge")),
        ("dynamodb:UpdateItem", ("table", "LoginChallenge")),
        ("dynamodb:DeleteItem", ("table", "User")),
        ("execute-api:ManageConnections", ("sockets",)),
    }


def test_policy_command_writes_the_files(tmp_path, monkeypatch):
    import deploy.cli

    written = []
    monkeypatch.setattr(
        deploy.cli, "policy_file", lambda name, function: tmp_path / f"{name}-{function}.json"
    )
    stale = write_policies(["dev"], log=written.append)
    assert stale == [tmp_path / f"dev-{function}.json" for function in FUNCTIONS]
    assert json.loads(stale[0].read_text())["Version"] == "2012-10-17"
    assert write_policies(["dev"]) == []  # up to date now
    assert pathlib.Path(written[0].split()[-1]).name == "dev-api_handler.json"


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


# --- sending email ---------------------------------------------------------------------


def test_only_the_rest_api_sends_email_and_only_from_its_sender(stage_specs):
    stage, specs = stage_specs
    sending = {
        function
        for function, policy in lambda_policies(stage, specs).items()
        if "SendEmail" in _statements(policy)
    }
    assert sending == {REST_FUNCTION}
    send = _statements(lambda_policy(stage, specs))["SendEmail"]
    assert send["Action"] == ["ses:SendEmail"]
    assert send["Resource"] == [
        f"arn:aws:ses:*:*:identity/{SENDER_PLACEHOLDER}",
        "arn:aws:ses:*:*:identity/__EMAIL_FROM_DOMAIN__",
    ]
    assert send["Condition"] == {"StringEquals": {"ses:FromAddress": SENDER_PLACEHOLDER}}


def test_the_deploy_names_its_sender_and_changes_nothing_else(stage_specs):
    stage, specs = stage_specs
    committed = lambda_policy(stage, specs)
    deployed = lambda_policy(stage, specs, sender="no-reply@login.example.com")
    send = _statements(deployed)["SendEmail"]
    assert send["Resource"] == [
        "arn:aws:ses:*:*:identity/no-reply@login.example.com",
        "arn:aws:ses:*:*:identity/login.example.com",
    ]
    assert send["Condition"]["StringEquals"]["ses:FromAddress"] == "no-reply@login.example.com"
    assert_least_privilege(deployed)
    others = [s for s in committed["Statement"] if s["Sid"] != "SendEmail"]
    assert [s for s in deployed["Statement"] if s["Sid"] != "SendEmail"] == others


def test_a_new_send_fails_until_its_functions_policy_allows_it(project):
    changed = project(
        "chalicelib/second_step/watchers.py",
        "def _token_of(message):\n    client().send_email(FromEmailAddress=message)\n",
    )
    need = ("ses:SendEmail", ("mail",))
    assert need in changed.needs("websocket_message")
    stage = load_stage("prod")
    specs = table_specs(stage)
    assert need in missing(lambda_policy(stage, specs, "websocket_message"), {need}, stage, specs)
    assert not missing(lambda_policy(stage, specs), {need}, stage, specs)


@pytest.mark.parametrize(
    ("actions", "arn"),
    [
        (["ses:SendEmail"], "arn:aws:ses:*:*:identity/*"),
        (["ses:SendEmail"], "arn:aws:ses:*:*:identity/*.example.com"),
        (["ses:*"], "arn:aws:ses:*:*:identity/login.example.com"),
        (["ses:SendRawEmail"], "arn:aws:ses:*:*:identity/login.example.com"),
    ],
)
def test_least_privilege_refuses_a_broader_mail_grant(actions, arn):
    statement = {
        "Sid": "SendEmail",
        "Effect": "Allow",
        "Action": actions,
        "Resource": [arn],
        "Condition": {"StringEquals": {"ses:FromAddress": "no-reply@login.example.com"}},
    }
    with pytest.raises(AssertionError):
        assert_least_privilege({"Version": "2012-10-17", "Statement": [statement]})
