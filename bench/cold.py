"""A cold start as Lambda has it: a fresh interpreter imports app and answers POST /login.

Each run is a new process with the API's environment (DynamoDB on the stack's moto server,
the emulator as Authy); the handler gets an API Gateway proxy event, as in the cloud. The
login is real: the password is checked (argon2id) and a push is sent, so each run uses
its own member (an account takes three pushes in 15 minutes).
"""

import json
import pathlib
import statistics
import subprocess
import sys

from devstack.lambda_events import rest_event

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = """
import json, sys, time, types
started = time.perf_counter()
import app
imported = time.perf_counter()
context = types.SimpleNamespace(
    function_name="twofold-bench", function_version="$LATEST", aws_request_id="bench",
    memory_limit_in_mb=512, get_remaining_time_in_millis=lambda: 25_000,
)
response = app.app(json.loads(sys.argv[1]), context)
answered = time.perf_counter()
print(json.dumps({"import_s": imported - started, "login_s": answered - imported,
                  "status": response["statusCode"]}))
"""


def cold_logins(stack, members):
    """Per member, one fresh process: ``{"runs": [...], "import_ms", "login_ms", "total_ms"}``
    (medians) where each run is ``{import_s, login_s, status}``."""
    runs = []
    for member in members:
        event = rest_event("POST", "/login", {"email": member.email, "password": member.password})
        done = subprocess.run(  # noqa: S603 - this interpreter with a fixed script
            [sys.executable, "-c", SCRIPT, json.dumps(event)],
            cwd=ROOT,
            env=stack.environment(),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))

    def median_ms(*keys):
        return statistics.median(sum(run[k] for k in keys) for run in runs) * 1000

    return {
        "runs": runs,
        "import_ms": median_ms("import_s"),
        "login_ms": median_ms("login_s"),
        "total_ms": median_ms("import_s", "login_s"),
    }
