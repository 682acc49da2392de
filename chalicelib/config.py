"""Settings read from the environment once, on first use, and cached."""

import functools
import os
from dataclasses import dataclass

from chalicelib.errors import ConfigurationError

DEFAULT_AUTHY_API_URL = "https://api.authy.com"
LOCAL_STAGE = "local"


def table_prefix():
    """Prefix of every table name: TABLE_PREFIX, else ``twofold-<STAGE>``."""
    return os.environ.get("TABLE_PREFIX") or f"twofold-{os.environ.get('STAGE', 'local')}"


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    stage: str
    authy_api_url: str
    authy_api_key: str
    authy_callback_url: str
    authy_callback_max_age: int
    site_origin: str
    app_name: str
    per_ip_limit_factor: int = 1
    authy_read_timeout: float = 4.0
    websocket_management_url: str | None = None
    factor_provider: str = "authy"


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


def _api_key(env):
    if env.get("AUTHY_API_KEY"):
        return env["AUTHY_API_KEY"]
    parameter = env.get("AUTHY_API_KEY_PARAM")
    if not parameter:
        return None
    from chalicelib import ssm  # only the cloud pays for the SSM client

    return ssm.secure_string(parameter)


def load_settings(env=None):
    """Build Settings from ``env`` (default os.environ); name every missing variable."""
    env = os.environ if env is None else env
    required = ("STAGE", "AUTHY_CALLBACK_URL", "SITE_ORIGIN")
    missing = [name for name in required if not env.get(name)]
    if not (env.get("AUTHY_API_KEY") or env.get("AUTHY_API_KEY_PARAM")):
        missing.append("AUTHY_API_KEY (or AUTHY_API_KEY_PARAM)")
    if missing:
        raise ConfigurationError("missing configuration: " + ", ".join(missing))
    return _guarded(
        Settings(
            stage=env["STAGE"],
            authy_api_url=(env.get("AUTHY_API_URL") or DEFAULT_AUTHY_API_URL).rstrip("/"),
            authy_api_key=_api_key(env),
            authy_callback_url=env["AUTHY_CALLBACK_URL"],
            authy_callback_max_age=_number(env, "AUTHY_CALLBACK_MAX_AGE", 300),
            site_origin=env["SITE_ORIGIN"].rstrip("/"),
            app_name=env.get("APP_NAME") or "Twofold",
            per_ip_limit_factor=_number(env, "PER_IP_LIMIT_FACTOR", 1),
            authy_read_timeout=_number(env, "AUTHY_READ_TIMEOUT", 4.0, float, most=20),
            websocket_management_url=(env.get("WEBSOCKET_MANAGEMENT_URL") or "").rstrip("/")
            or None,
        )
    )


def _guarded(config):
    """Refuse, outside the local stack, what is only fit for it.

    A vendor reached over plain HTTP would carry the API key (and the codes) in clear, and
    PER_IP_LIMIT_FACTOR exists only because ``chalice local`` sees every client as one IP.
    """
    if config.stage == LOCAL_STAGE:
        return config
    plain = [
        name
        for name, url in (
            ("AUTHY_API_URL", config.authy_api_url),
            ("WEBSOCKET_MANAGEMENT_URL", config.websocket_management_url),
        )
        if url and not url.startswith("https://")
    ]
    if plain:
        raise ConfigurationError(f"{', '.join(plain)} must be https:// outside the local stage")
    if config.per_ip_limit_factor != 1:
        raise ConfigurationError("PER_IP_LIMIT_FACTOR must be 1 outside the local stage")
    return config


@functools.lru_cache(maxsize=1)
def settings():
    """The process-wide Settings, built on first use."""
    return load_settings()
