"""``chalice deploy`` and ``chalice delete`` for a stage, with what only a deploy can know.

SITE_ORIGIN and AUTHY_CALLBACK_URL depend on the account, the region and the API's id, so
they cannot be committed in .chalice/config.json. The deploy copies what chalice packages
(app.py, chalicelib/, requirements.txt, vendor/) into ``build/chalice-<stage>/`` with a
config.json that adds them and the generated policy, runs chalice there, and copies the
deployed state back to ``.chalice/deployed/``, where chalice run in the project finds it.
"""

import json
import os
import shutil
import subprocess
import sys

from deploy.errors import DeployError
from deploy.project import CHALICE_DIR, ROOT, chalice_config, lambda_environment

BUILD_DIR = ROOT / "build"
SHIPPED = ("app.py", "chalicelib", "requirements.txt", "vendor")
SECRETS = ("AUTHY_API_KEY",)  # the Lambda gets AUTHY_API_KEY_PARAM, never the key


def deploy(stage, environment, policy, region):
    """Deploy ``stage`` with ``environment`` added to its Lambda's; return the API URL."""
    build = prepare(stage, environment, policy)
    _chalice(build, region, "deploy", "--stage", stage.name)
    state = _state_file(build / ".chalice", stage.name)
    _state_file(CHALICE_DIR, stage.name).parent.mkdir(exist_ok=True)
    shutil.copyfile(state, _state_file(CHALICE_DIR, stage.name))
    url = deployed_api_url(stage.name)
    if url is None:
        raise DeployError(f"chalice deployed {stage.name} but recorded no REST API URL")
    return url


def delete(stage, region):
    """``chalice delete`` the stage's Lambda and API; False when nothing was deployed."""
    if deployed_api_url(stage.name) is None:
        return False
    _chalice(ROOT, region, "delete", "--stage", stage.name)
    return True


def deployed_api_url(stage_name, chalice_dir=CHALICE_DIR):
    """The stage's API URL (no trailing slash) from chalice's deployed state, or None."""
    path = _state_file(chalice_dir, stage_name)
    if not path.is_file():
        return None
    for resource in json.loads(path.read_text()).get("resources", []):
        if resource.get("resource_type") == "rest_api":
            return resource["rest_api_url"].rstrip("/")
    return None


def prepare(stage, environment, policy):
    """Lay out ``build/chalice-<stage>/``: what chalice ships, the stage's config and state.

    chalice's cache of built packages (``.chalice/deployments``) is kept between runs.
    """
    build = BUILD_DIR / f"chalice-{stage.name}"
    (build / ".chalice").mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        _replace(ROOT / name, build / name)
    config = stage_config(chalice_config(), stage, environment)
    (build / ".chalice" / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (build / ".chalice" / config["stages"][stage.name]["iam_policy_file"]).write_text(policy)
    _replace(_state_file(CHALICE_DIR, stage.name), _state_file(build / ".chalice", stage.name))
    return build


def stage_config(config, stage, environment):
    """``config`` with the stage's Lambda getting ``environment`` and our policy, no autogen."""
    for name in SECRETS:
        if name in lambda_environment(config, stage.name) or name in environment:
            raise DeployError(f"{name} must not be in the Lambda's configuration: use SSM")
    config = json.loads(json.dumps(config))  # a deep copy
    settings = config["stages"][stage.name]
    settings["autogen_policy"] = False
    settings["iam_policy_file"] = f"policy-{stage.name}.json"
    settings["environment_variables"] = {**settings.get("environment_variables", {}), **environment}
    return config


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


def _chalice(project_dir, region, *arguments):
    executable = shutil.which("chalice", path=os.path.dirname(sys.executable))
    executable = executable or shutil.which("chalice")
    if executable is None:
        raise DeployError("chalice is not installed: make deploy installs requirements-dev.txt")
    env = {key: value for key, value in os.environ.items() if key != "DYNAMODB_HOST"}
    env["AWS_DEFAULT_REGION"] = region  # botocore reads this one, not AWS_REGION
    command = [executable, "--project-dir", str(project_dir), *arguments]
    done = subprocess.run(command, env=env, check=False)  # noqa: S603 - a fixed command
    if done.returncode != 0:
        raise DeployError(f"chalice {arguments[0]} failed (exit {done.returncode})")
