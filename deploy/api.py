"""``chalice deploy`` and ``chalice delete`` for a stage, with what only a deploy can know.

SITE_ORIGIN, AUTHY_CALLBACK_URL and WEBSOCKET_MANAGEMENT_URL depend on the account, the
region and the APIs' ids, and the policy names the WebSocket API's id, so none of them can
be committed in .chalice/. The deploy copies what chalice packages (app.py, chalicelib/,
requirements.txt, vendor/) into ``build/chalice-<stage>/`` with a config.json that adds
them and the policy, runs chalice there, and copies the deployed state back to
``.chalice/deployed/``, where chalice run in the project finds it.

chalicelib ships compiled (``compile_shipped``): Lambda unpacks the zip into a read-only
/var/task, so Python cannot keep what it compiles there, and without .pyc files every
cold start would compile each module it imports again.
"""

import compileall
import json
import os
import py_compile
import shutil
import subprocess
import sys
from dataclasses import dataclass

from deploy.errors import DeployError
from deploy.policy import REST_FUNCTION, WEBSOCKET_FUNCTIONS, policy_file_name
from deploy.project import (
    CHALICE_DIR,
    LAMBDA_RUNTIME,
    ROOT,
    chalice_config,
    lambda_environment,
)

BUILD_DIR = ROOT / "build"
SHIPPED = ("app.py", "chalicelib", "requirements.txt", "vendor")
SECRETS = ("AUTHY_API_KEY",)  # the Lambda gets AUTHY_API_KEY_PARAM, never the key
# Settings that would take a Lambda off its generated policy: a role of one's own, anywhere;
# the policy settings in lambda_functions, which outrank the stage's (except the ones
# stage_config itself sets: each WebSocket handler's own policy file).
ROLE_ARN = ("iam_role_arn", "manage_iam_role")
ROLE_SETTINGS = ("autogen_policy", "iam_policy_file", *ROLE_ARN)


@dataclass(frozen=True)
class Endpoints:
    """What chalice recorded for a deployed stage: the REST API and the WebSocket API."""

    api_url: str  # https://<id>.execute-api.<region>.amazonaws.com/<stage>, no trailing /
    websocket_api_id: str | None = None
    websocket_url: str | None = None  # wss://<id>.execute-api.<region>.amazonaws.com/<stage>

    @property
    def websocket_management_url(self):
        """Where the Lambdas post to connections (the @connections API is https)."""
        if self.websocket_url is None:
            return None
        return "https://" + self.websocket_url.removeprefix("wss://")


def check_runtime():
    """Refuse to deploy from a Python that is not the Lambda runtime's (chalice takes it)."""
    running = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    if running != LAMBDA_RUNTIME:
        raise DeployError(
            f"chalice would deploy the Lambdas on {running}; they run on {LAMBDA_RUNTIME}. "
            "Deploy with `make deploy`, which builds .venv on that Python."
        )


def deploy(stage, environment, policies, region):
    """Deploy ``stage`` with ``environment`` added to its Lambdas' and ``policies``
    (``{function: policy text}``); return its Endpoints."""
    build = prepare(stage, environment, policies)
    _chalice(build, region, "deploy", "--stage", stage.name)
    state = _state_file(build / ".chalice", stage.name)
    _state_file(CHALICE_DIR, stage.name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(state, _state_file(CHALICE_DIR, stage.name))
    endpoints = deployed_endpoints(stage.name)
    if endpoints is None:
        raise DeployError(f"chalice deployed {stage.name} but recorded no REST API URL")
    return endpoints


def delete(stage, region):
    """``chalice delete`` the stage's Lambdas, roles and APIs; False when nothing was deployed."""
    state = _state_file(CHALICE_DIR, stage.name)
    if not _deployed_resources(state):
        return False
    build = prepare(stage, {}, {})  # chalice reads the app and the state there, as to deploy
    _chalice(build, region, "delete", "--stage", stage.name)
    _replace(_state_file(build / ".chalice", stage.name), state)  # what chalice left of it
    return True


def deployed_endpoints(stage_name, chalice_dir=None):
    """The stage's Endpoints from chalice's deployed state; None without a REST API."""
    state = _state_file(chalice_dir or CHALICE_DIR, stage_name)
    by_type = {resource.get("resource_type"): resource for resource in _deployed_resources(state)}
    if "rest_api" not in by_type:
        return None
    websocket = by_type.get("websocket_api", {})
    return Endpoints(
        api_url=by_type["rest_api"]["rest_api_url"].rstrip("/"),
        websocket_api_id=websocket.get("websocket_api_id"),
        websocket_url=websocket["websocket_api_url"].rstrip("/") if websocket else None,
    )


def _deployed_resources(path):
    if not path.is_file():
        return []
    return json.loads(path.read_text()).get("resources", [])


def prepare(stage, environment, policies):
    """Lay out ``build/chalice-<stage>/``: what chalice ships, the stage's config, policies
    (``{function: policy text}``) and state.

    chalice's cache of built packages (``.chalice/deployments``) is kept between runs.
    """
    build = BUILD_DIR / f"chalice-{stage.name}"
    (build / ".chalice").mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        _replace(ROOT / name, build / name)
    compile_shipped(build)
    config = stage_config(chalice_config(), stage, environment)
    (build / ".chalice" / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    for function, policy in policies.items():
        (build / ".chalice" / policy_file_name(stage.name, function)).write_text(policy)
    _replace(_state_file(CHALICE_DIR, stage.name), _state_file(build / ".chalice", stage.name))
    return build


def compile_shipped(directory):
    """Write the .pyc of every module of ``directory``/chalicelib, as chalice then ships them.

    Checked-hash .pyc files: Python checks each against its source's hash, not its mtime
    (which a zip keeps only to two seconds), so none is ever taken for a stale one, and a
    stale one is never run. This Python is the runtime's (``check_runtime``), so the
    Lambda's interpreter reads them. (app.py's own .pyc would not ship: chalice takes only
    app.py from the project's top.)
    """
    done = compileall.compile_dir(
        directory / "chalicelib",
        quiet=1,
        invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
    )
    if not done:
        raise DeployError("chalicelib did not compile: see the errors above")


def stage_config(config, stage, environment):
    """``config`` with the stage's Lambdas getting ``environment`` and our policies, no autogen.

    chalice gives every Lambda of the stage a role of its own: the REST handler's with the
    stage's ``iam_policy_file``, each WebSocket handler's with the file its
    ``lambda_functions`` entry names (deploy.policy's). Any other role or policy is refused.
    """
    for name in SECRETS:
        if name in lambda_environment(config, stage.name) or name in environment:
            raise DeployError(f"{name} must not be in the Lambda's configuration: use SSM")
    overrides = _role_overrides(config, stage.name)
    if overrides:
        raise DeployError(
            f"{', '.join(overrides)} in .chalice/config.json would give a Lambda another role "
            "or policy than the generated one: remove it"
        )
    config = json.loads(json.dumps(config))  # a deep copy
    settings = config["stages"][stage.name]
    settings["autogen_policy"] = False
    settings["iam_policy_file"] = policy_file_name(stage.name, REST_FUNCTION)
    functions = settings.setdefault("lambda_functions", {})
    for function, policy in own_policy_files(stage.name).items():
        functions.setdefault(function, {}).update(policy)
    settings["environment_variables"] = {**settings.get("environment_variables", {}), **environment}
    return config


def own_policy_files(stage_name):
    """The ``lambda_functions`` settings that give each WebSocket handler its own policy."""
    return {
        function: {"iam_policy_file": policy_file_name(stage_name, function)}
        for function in WEBSOCKET_FUNCTIONS
    }


def _role_overrides(config, stage_name):
    """Settings that outrank the roles and policies stage_config sets (theirs excepted)."""
    places = {"": config, f"stages.{stage_name}.": config["stages"][stage_name]}
    ours = own_policy_files(stage_name)
    found = []
    for where, values in places.items():
        found += [where + name for name in ROLE_ARN if name in values]
        for function, overrides in values.get("lambda_functions", {}).items():
            prefix = f"{where}lambda_functions.{function}."
            expected = ours.get(function, {}) if where else {}
            found += [
                prefix + name
                for name in ROLE_SETTINGS
                if name in overrides and overrides[name] != expected.get(name)
            ]
    return found


def _state_file(chalice_dir, stage_name):
    return chalice_dir / "deployed" / f"{stage_name}.json"


def _replace(source, target):
    """Make ``target`` a copy of ``source``, or absent when ``source`` is."""
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    elif source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def chalice_command():
    """How chalice is run: the one installed beside this interpreter, else on PATH."""
    executable = shutil.which("chalice", path=os.path.dirname(sys.executable))
    executable = executable or shutil.which("chalice")
    if executable is None:
        raise DeployError("chalice is not installed: make deploy installs requirements-dev.txt")
    return [executable]


def _chalice(project_dir, region, *arguments):
    env = {key: value for key, value in os.environ.items() if key != "DYNAMODB_HOST"}
    env["AWS_DEFAULT_REGION"] = region  # botocore reads this one, not AWS_REGION
    command = [*chalice_command(), "--project-dir", str(project_dir), *arguments]
    done = subprocess.run(command, env=env, check=False)  # noqa: S603 - a fixed command
    if done.returncode != 0:
        raise DeployError(f"chalice {arguments[0]} failed (exit {done.returncode})")
