"""deploy.schema: the tables of chalicelib.models, named as each stage's Lambda names them."""

from deploy.project import Stage, load_stage
from deploy.schema import table_specs


def test_every_table_is_the_stages(specs):
    assert specs, "MODELS lists no table"
    assert all(spec.name.startswith("twofold-dev-") for spec in specs)
    assert len({spec.name for spec in specs}) == len(specs)


def test_the_known_tables_and_their_shapes(specs):
    by_model = {spec.model: spec for spec in specs}
    users = by_model["User"]
    assert users.name == "twofold-dev-users"
    assert users.key_schema == [{"KeyType": "HASH", "AttributeName": "email"}]
    assert users.durable and users.ttl_attribute is None
    challenges = by_model["LoginChallenge"]
    assert challenges.ttl_attribute == "ttl" and not challenges.durable
    assert challenges.index_names == ["push-request"]
    assert challenges.global_indexes[0]["Projection"] == {"ProjectionType": "ALL"}
    assert "ProvisionedThroughput" not in challenges.global_indexes[0]


def test_stages_differ_only_by_prefix(specs):
    prod = table_specs(load_stage("prod"))
    assert [spec.name.removeprefix("twofold-prod-") for spec in prod] == [
        spec.name.removeprefix("twofold-dev-") for spec in specs
    ]


def test_the_environment_of_this_process_does_not_leak_in(monkeypatch):
    monkeypatch.setenv("TABLE_PREFIX", "twofold-local")
    monkeypatch.setenv("STAGE", "local")
    custom = table_specs(Stage(name="dev", app_name="twofold", table_prefix="custom-x"))
    assert all(spec.name.startswith("custom-x-") for spec in custom)
