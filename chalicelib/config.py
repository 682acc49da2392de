"""Settings read from the environment once, on first use, and cached."""

import functools
import os
import urllib.parse
from dataclasses import dataclass

from chalicelib.errors import ConfigurationError

DEFAULT_AUTHY_API_URL = "https://api.authy.com"
PRODUCTION = "prod"  # the stage that serves real people: its origins must be https


def table_prefix():
    """Prefix of every table name: TABLE_PREFIX, else ``twofold-<STAGE>``."""
    return os.environ.get("TABLE_PREFIX") or f"twofold-{os.environ.get('STAGE', 'local')}"


@dataclass(frozen=True)
class Secret:
    """A secret given in the environment, or the name of the SSM SecureString holding it.

    The parameter is read on first use, not with the settings: a function that never uses
    the secret (the WebSocket handlers) never reads it, so its IAM role need not allow it.
    """

    value: str | None = None
    parameter: str | None = None

    def reveal(self):
        return self.value or _parameter(self.parameter)


@functools.lru_cache(maxsize=4)
def _parameter(name):
    from chalicelib import ssm  # only the cloud pays for the SSM client

    return ssm.secure_string(name)


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    stage: str
    authy_api_url: str
    authy_key: Secret
    authy_callback_url: str
    authy_callback_max_age: int
    site_origin: str
    app_name: str
    per_ip_limit_factor: int = 1
    authy_read_timeout: float = 4.0
    websocket_management_url: str | None = None
    cors_origin: str | None = None  # another origin the API answers cross-origin, if any
    edge_secret: Secret | None = None  # what our CloudFront adds to each request (context.py)

    @property
    def authy_api_key(self):
        """The Authy API key itself (from SSM on first use, when only its parameter is named)."""
        return self.authy_key.reveal()


def _number(env, name, default, kind=int, most=None):
    """A positive ``kind`` (int or float) from ``env``, at most ``most``; ``default`` if unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, not {raw!r}") from None
    if not 0 < value <= (most or value):
        limit = f" and at most {most}" if most else ""
        raise ConfigurationError(f"{name} must be positive{limit}")
    return value


def check_origin(name, value, stage):
    """``value`` as an origin (``https://host[:port]``, no path); ``prod`` takes https only."""
    origin = value.strip().rstrip("/")
    parts = urllib.parse.urlsplit(origin)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ConfigurationError(f"{name} must be an origin like https://login.example.com")
    if stage == PRODUCTION and parts.scheme != "https":
        raise ConfigurationError(f"{name} must be https:// on the {stage} stage, not {origin}")
    return origin


def _secret(env, name):
    """The Secret in ``name``, or in the parameter ``<name>_PARAM`` names; None if neither."""
    if env.get(name):
        return Secret(value=env[name])
    if env.get(f"{name}_PARAM"):
        return Secret(parameter=env[f"{name}_PARAM"])
    return None


def load_settings(env=None):
    """Build Settings from ``env`` (default os.environ); name every missing variable."""
    env = os.environ if env is None else env
    required = ("STAGE", "AUTHY_CALLBACK_URL", "SITE_ORIGIN")
    missing = [name for name in required if not env.get(name)]
    if not (env.get("AUTHY_API_KEY") or env.get("AUTHY_API_KEY_PARAM")):
        missing.append("AUTHY_API_KEY (or AUTHY_API_KEY_PARAM)")
    if missing:
        raise ConfigurationError("missing configuration: " + ", ".join(missing))
    return Settings(
        stage=env["STAGE"],
        authy_api_url=(env.get("AUTHY_API_URL") or DEFAULT_AUTHY_API_URL).rstrip("/"),
        authy_key=_secret(env, "AUTHY_API_KEY"),
        authy_callback_url=env["AUTHY_CALLBACK_URL"],
        authy_callback_max_age=_number(env, "AUTHY_CALLBACK_MAX_AGE", 300),
        site_origin=check_origin("SITE_ORIGIN", env["SITE_ORIGIN"], env["STAGE"]),
        app_name=env.get("APP_NAME") or "Twofold",
        per_ip_limit_factor=_number(env, "PER_IP_LIMIT_FACTOR", 1),
        authy_read_timeout=_number(env, "AUTHY_READ_TIMEOUT", 4.0, float, most=20),
        websocket_management_url=(env.get("WEBSOCKET_MANAGEMENT_URL") or "").rstrip("/") or None,
        cors_origin=check_origin("CORS_ORIGIN", env["CORS_ORIGIN"], env["STAGE"])
        if env.get("CORS_ORIGIN")
        else None,
        edge_secret=_secret(env, "EDGE_SECRET"),
    )


@functools.lru_cache(maxsize=1)
def settings():
    """The process-wide Settings, built on first use."""
    return load_settings()
