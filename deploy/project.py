"""Where the project's files are, and what each stage's AWS resources are called."""

import json
import pathlib
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHALICE_DIR = ROOT / ".chalice"
SITE_DIR = ROOT / "static_site"
STAGES = ("dev", "prod")
# chalice gives the Lambdas the runtime of the Python it runs on: this one, on Amazon
# Linux 2023 (glibc 2.34), which the passkey library's cbor2 wheels need (README: Deploying).
LAMBDA_RUNTIME = "python3.12"
LAMBDA_GLIBC = (2, 34)
DEFAULT_API_GATEWAY_STAGE = "api"  # chalice's default


def chalice_config(root=ROOT):
    """``.chalice/config.json`` as a dict."""
    return json.loads((root / ".chalice" / "config.json").read_text())


def lambda_environment(config, stage):
    """The variables chalice gives the stage's Lambda: global ones, then the stage's."""
    env = dict(config.get("environment_variables", {}))
    env.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    return env


@dataclass(frozen=True)
class Stage:
    """One deployable stage and the names of its resources."""

    name: str
    app_name: str
    table_prefix: str
    api_gateway_stage: str = DEFAULT_API_GATEWAY_STAGE  # the path segment of both APIs' URLs
    provider: str = "authy"  # FACTOR_PROVIDER in the stage's settings: authy or verify
    product_name: str = "Twofold"  # APP_NAME: what texts, pushes and authenticators show

    def parameter(self, what):
        """The name of one of the stage's SSM parameters."""
        return f"/twofold/{self.name}/{what}"

    @property
    def parameter_name(self):
        """The SSM SecureString holding the Authy API key."""
        return self.parameter("authy-api-key")

    @property
    def vendor_secret_names(self):
        """The SecureStrings of the stage's vendor: Authy's key, or Twilio's token or key."""
        if self.provider == "verify":
            return (self.parameter("twilio-auth-token"), self.parameter("twilio-api-key-secret"))
        return (self.parameter_name,)

    @property
    def edge_secret_name(self):
        """The SSM SecureString CloudFront shows the API (see chalicelib/context.py)."""
        return f"/twofold/{self.name}/edge-secret"

    @property
    def parameter_names(self):
        """Every SSM SecureString of the stage that its REST Lambda reads."""
        return (*self.vendor_secret_names, self.edge_secret_name)

    @property
    def site_name(self):
        """What names the stage's CloudFront pieces: OAC, headers policy, distribution."""
        return f"{self.function_prefix}-site"

    @property
    def function_prefix(self):
        """Chalice names the stage's Lambdas ``<app>-<stage>`` and ``<app>-<stage>-<name>``."""
        return f"{self.app_name}-{self.name}"

    def function_name(self, function):
        """The Lambda chalice names for ``function`` (``api_handler`` is the REST API's)."""
        if function == "api_handler":
            return self.function_prefix
        return f"{self.function_prefix}-{function}"

    def bucket_name(self, account, region):
        """The site's bucket: bucket names are global, so the account and region are in it."""
        return f"twofold-{self.name}-site-{account}-{region}"


def load_stage(name, root=ROOT):
    """The Stage ``name`` as ``.chalice/config.json`` configures it."""
    config = chalice_config(root)
    if name not in config.get("stages", {}):
        raise ValueError(f"stage {name!r} is not in .chalice/config.json")
    env = lambda_environment(config, name)
    settings = config["stages"][name]
    return Stage(
        name=name,
        app_name=config["app_name"],
        table_prefix=env.get("TABLE_PREFIX") or f"twofold-{env.get('STAGE') or name}",
        api_gateway_stage=settings.get("api_gateway_stage")
        or config.get("api_gateway_stage")
        or DEFAULT_API_GATEWAY_STAGE,
        provider=(env.get("FACTOR_PROVIDER") or "authy").strip().lower(),
        product_name=env.get("APP_NAME") or "Twofold",
    )
