"""Run by a clean virtualenv's python: import the unpacked Lambda package, call its handler.

``python -I lambda_invoke.py PACKAGE_DIR < event.json`` prints the handler's answer and
where the app's imports came from, as JSON.
"""

import importlib.util
import json
import sys
import types

sys.path.insert(0, sys.argv[1])

import pynamodb  # noqa: E402

import app  # noqa: E402 - from the package just put on the path
import chalicelib  # noqa: E402

context = types.SimpleNamespace(
    function_name="twofold-prod",
    function_version="$LATEST",
    aws_request_id="0f0e0d0c-lambda-invoke-test",
    memory_limit_in_mb=512,
    get_remaining_time_in_millis=lambda: 25_000,
)
response = app.app(json.load(sys.stdin), context)
print(
    json.dumps(
        {
            "response": response,
            "chalicelib": chalicelib.__file__,
            "pynamodb": pynamodb.__file__,
            "pytest_importable": importlib.util.find_spec("pytest") is not None,
        }
    )
)
