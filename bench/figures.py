"""Figures of the package rather than the running stack: import time and the zip."""

import collections
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
# What the routes of a OneTouch login (POST /login, GET /login/status, the callback)
# import on their first request, on top of app.py's own imports.
LOGIN_MODULES = (
    "from chalicelib import accounts, sessions; "
    "from chalicelib.second_step import callback, flow; "
    "from chalicelib.context import from_request"
)
LOGIN_IMPORTS = "import app and a OneTouch login's modules"
IMPORTS = {
    "import app": "import app",
    LOGIN_IMPORTS: "import app; " + LOGIN_MODULES,
    "import chalice, pynamodb.models": "import chalice, pynamodb.models",
    "import chalice, boto3": "import chalice, boto3",
}
IMPORT_BASELINE = "import chalice, pynamodb.models"  # what a login truly needs
TIMER = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
# What app.py needs in its environment at import; nothing is called, nothing is reached.
APP_ENV = {
    "STAGE": "local",
    "SITE_ORIGIN": "http://127.0.0.1:8080",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}
APP_VARIABLES = re.compile(r"^(STAGE|TABLE_PREFIX|AUTHY_|SITE_ORIGIN|DYNAMODB_HOST|WEBSOCKET_)")


def import_times(runs=7):
    """Median seconds of each import in a fresh interpreter, runs interleaved; plus samples.

    app.py and chalicelib as the deploy ships them (``deploy.api.compile_shipped``: the
    .pyc files in the zip, checked against their sources), in a folder of their own, and
    nothing written while timing (Lambda's /var/task is read-only). The packages use the
    .pyc files pip wrote.
    """
    from deploy.api import compile_shipped

    env = {**_clean_env(), **APP_ENV, "PYTHONDONTWRITEBYTECODE": "1"}
    samples = collections.defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as shipped:
        task = pathlib.Path(shipped)
        shutil.copy2(ROOT / "app.py", task / "app.py")
        ignored = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(ROOT / "chalicelib", task / "chalicelib", ignore=ignored)
        compile_shipped(task)
        for statement in IMPORTS.values():
            _time_import(statement, env, task)  # warm the page cache first
        for _ in range(runs):
            for name, statement in IMPORTS.items():
                samples[name].append(_time_import(statement, env, task))
    return {name: (statistics.median(values), values) for name, values in samples.items()}


def _time_import(statement, env, cwd):
    done = subprocess.run(  # noqa: S603 - this interpreter with a fixed script
        [sys.executable, "-c", TIMER.format(statement=statement)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def deployment_zip():
    """``chalice package --stage prod``: the zip's size and what takes the room in it."""
    chalice = pathlib.Path(sys.executable).parent / "chalice"
    with tempfile.TemporaryDirectory(prefix="bench-package-") as out:
        done = subprocess.run(  # noqa: S603 - chalice with fixed arguments
            [str(chalice), "--project-dir", str(ROOT), "package", "--stage", "prod", out + "/p"],
            env={**_clean_env(), "AWS_DEFAULT_REGION": "us-east-1"},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
        path = pathlib.Path(out) / "p" / "deployment.zip"
        return {
            "bytes": path.stat().st_size,
            "largest": _largest_parts(path),
            "without_botocore": _without(path, RUNTIME_PROVIDED),
        }


# What the Lambda Python runtime brings itself, which the zip carries as PynamoDB's dependency.
RUNTIME_PROVIDED = ("botocore",)


def _without(path, tops, runs=3):
    """The zip's compressed bytes without the ``tops`` folders, and the median ms to unpack
    it whole and without them (what Lambda does to a zip before a cold start runs code)."""
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        kept = [e for e in entries if e.filename.split("/")[0].split("-")[0] not in tops]
        times = {"unpack_ms": [], "unpack_without_ms": []}
        for _ in range(runs):
            for name, chosen in (("unpack_ms", entries), ("unpack_without_ms", kept)):
                with tempfile.TemporaryDirectory(prefix="bench-unzip-") as target:
                    started = time.perf_counter()
                    for entry in chosen:
                        archive.extract(entry, target)
                    times[name].append((time.perf_counter() - started) * 1000)
    dropped = sum(e.compress_size for e in entries) - sum(e.compress_size for e in kept)
    return {
        "bytes": path.stat().st_size - dropped,  # about: their entries' headers stay counted
        **{name: statistics.median(values) for name, values in times.items()},
    }


def _largest_parts(path, count=5):
    sizes = collections.Counter()
    with zipfile.ZipFile(path) as archive:
        for entry in archive.infolist():
            top = entry.filename.split("/")[0]
            sizes[top.split("-")[0] if top.endswith(".dist-info") else top] += entry.compress_size
    return sizes.most_common(count)


def _clean_env():
    env = {k: v for k, v in os.environ.items() if not APP_VARIABLES.match(k)}
    env.pop("PYTHONPATH", None)
    return env


def chromium_version():
    found = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        done = subprocess.run(  # noqa: S603 - the browser's --version
            [found, "--version"], capture_output=True, text=True, timeout=20, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() or None
