"""A cold start pays for what its request needs: app.py imports almost nothing itself.

Every Lambda chalice deploys (the REST API's and each WebSocket handler's) imports app.py;
the routes import the chalicelib modules they use on their first request. These run in a
fresh interpreter, because this test session has imported everything long ago.
"""

import json
import subprocess
import sys

from deploy.project import ROOT

# What app.py may import for itself: the error shapes, the headers, the request log and
# the body checks every route uses; and chalice, which runs the routes.
APP_OWN = {
    "chalicelib",
    "chalicelib.errors",
    "chalicelib.headers",
    "chalicelib.requestlog",
    "chalicelib.validation",
}
# Neither the models nor botocore, the vendors' HTTP or the password hasher.
NOT_AT_IMPORT = {"pynamodb.models", "botocore.client", "requests", "argon2"}


def _modules_after(statement):
    script = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - this interpreter with a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"STAGE": "local", "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_app_loads_only_what_every_route_needs():
    loaded = _modules_after("import app")
    assert {m for m in loaded if m.startswith("chalicelib")} == APP_OWN
    assert loaded & NOT_AT_IMPORT == set()
