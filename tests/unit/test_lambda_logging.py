"""Our INFO lines reach CloudWatch with logging set up as the Lambda Python runtime does it.

The runtime puts its handler on the root logger and leaves the root level at WARNING;
pytest's caplog would hide a dropped line, so this runs the app in a fresh interpreter.
"""

import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, logging, sys

root = logging.getLogger()  # what the Lambda runtime's bootstrap leaves behind
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(name)s\t%(message)s"))
root.addHandler(handler)
root.setLevel(logging.WARNING)

import app
from devstack.lambda_events import rest_event

event = rest_event(
    "GET", "/account", headers={"Accept": "application/json"}, source_ip="198.51.100.7"
)
answer = app.app(event, None)
logging.getLogger("chalicelib.probe").info("an info line from chalicelib")
print("STATUS", answer["statusCode"])
"""


def test_request_lines_and_chalicelib_info_reach_the_runtime_handler():
    env = {
        **os.environ,
        "STAGE": "test",
        "AUTHY_API_KEY": "k",
        "AUTHY_CALLBACK_URL": "https://api.example.test/authy/callback",
        "SITE_ORIGIN": "https://site.example.test",
    }
    done = subprocess.run(  # noqa: S603 - a fixed script
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = done.stdout
    assert "STATUS 401" in out
    request_lines = [line for line in out.splitlines() if '"route": "/account"' in line]
    assert len(request_lines) == 1, out
    line = request_lines[0]
    assert json.loads(line[line.index("{") :])["status"] == 401
    assert "an info line from chalicelib" in out
