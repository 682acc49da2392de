"""The tables ``chalicelib.models.MODELS`` declares, as a stage's Lambda will name them.

PynamoDB reads ``Meta.table_name`` when a model class is created, so the models are
imported in a child process whose STAGE and TABLE_PREFIX are the stage's: one process
per stage, nothing cached in this one. ``python -m deploy.schema`` is that child.
"""

import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass

from deploy.errors import DeployError
from deploy.project import ROOT


@dataclass(frozen=True)
class TableSpec:
    """One model's table, in the shapes the DynamoDB API takes."""

    model: str
    name: str
    key_schema: list
    attribute_definitions: list
    global_indexes: list
    local_indexes: list
    ttl_attribute: str | None

    @property
    def index_names(self):
        return [index["IndexName"] for index in self.global_indexes + self.local_indexes]

    @property
    def durable(self):
        """Items that never expire are records we cannot rebuild: they get PITR."""
        return self.ttl_attribute is None


@functools.cache  # a Stage is frozen; one child process per stage and deploy is enough
def table_specs(stage):
    """Every table of MODELS for ``stage`` (a project.Stage), in MODELS order."""
    env = {key: value for key, value in os.environ.items() if key != "DYNAMODB_HOST"}
    env.update(STAGE=stage.name, TABLE_PREFIX=stage.table_prefix)
    done = subprocess.run(  # noqa: S603 - our own module, run by this interpreter
        [sys.executable, "-m", "deploy.schema"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DeployError(f"cannot read chalicelib.models:\n{done.stderr.strip()}")
    return tuple(TableSpec(**table) for table in json.loads(done.stdout))


def _index(index):
    """PynamoDB's index schema → the DynamoDB API's (on demand: no throughput)."""
    return {
        "IndexName": index["index_name"],
        "KeySchema": index["key_schema"],
        "Projection": index["projection"],
    }


def describe(model):
    """A model's table as a JSON-able dict of TableSpec's fields."""
    from pynamodb.attributes import TTLAttribute

    schema = model._get_schema()  # what Model.create_table sends; private but version-pinned
    ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    return {
        "model": model.__name__,
        "name": model.Meta.table_name,
        "key_schema": schema["key_schema"],
        "attribute_definitions": schema["attribute_definitions"],
        "global_indexes": [_index(index) for index in schema["global_secondary_indexes"]],
        "local_indexes": [_index(index) for index in schema["local_secondary_indexes"]],
        "ttl_attribute": ttl[0] if ttl else None,
    }


def main():
    from chalicelib.models import MODELS

    json.dump([describe(model) for model in MODELS], sys.stdout)


if __name__ == "__main__":
    main()
