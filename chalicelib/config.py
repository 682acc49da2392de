"""Settings read from the environment once, on first use, and cached."""

import functools
import os
import re
import urllib.parse
from dataclasses import dataclass

from chalicelib.errors import ConfigurationError

DEFAULT_AUTHY_API_URL = "https://api.authy.com"
DEFAULT_VERIFY_API_URL = "https://verify.twilio.com"
PROVIDERS = ("authy", "verify")
LOCAL_STAGE = "local"
PRODUCTION = "prod"  # the stage that serves real people: its origins must be https
_ADDRESS = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


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
    site_origin: str
    app_name: str
    email_from: str  # the address our emails come from (an SES identity); APP_NAME names it
    factor_provider: str = "authy"
    vendor_read_timeout: float = 4.0
    per_ip_limit_factor: int = 1
    websocket_management_url: str | None = None
    cors_origin: str | None = None  # another origin the API answers cross-origin, if any
    edge_secret: Secret | None = None  # what our CloudFront adds to each request (context.py)
    # Authy (FACTOR_PROVIDER=authy)
    authy_api_url: str = DEFAULT_AUTHY_API_URL
    authy_key: Secret | None = None
    authy_callback_url: str | None = None
    authy_callback_max_age: int = 300
    # Twilio Verify (FACTOR_PROVIDER=verify): an account SID with its auth token, or an API key
    verify_api_url: str = DEFAULT_VERIFY_API_URL
    verify_service_sid: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: Secret | None = None
    twilio_api_key_sid: str | None = None
    twilio_api_key_secret: Secret | None = None

    @property
    def authy_api_key(self):
        """The Authy API key itself (from SSM on first use, when only its parameter is named)."""
        return self.authy_key.reveal()

    @property
    def twilio_username(self):
        return self.twilio_api_key_sid or self.twilio_account_sid

    @property
    def twilio_password(self):
        secret = self.twilio_api_key_secret if self.twilio_api_key_sid else self.twilio_auth_token
        return secret.reveal()


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


def check_sender(value):
    """EMAIL_FROM as a bare address (``no-reply@login.example.com``): the name shown beside
    it is APP_NAME, and SES must know the address or its domain as a verified identity."""
    address = value.strip()
    if not _ADDRESS.fullmatch(address):
        raise ConfigurationError(
            "EMAIL_FROM must be an address like no-reply@login.example.com (no display name)"
        )
    return address


def _secret(env, name):
    """The Secret in ``name``, or in the parameter ``<name>_PARAM`` names; None if neither."""
    if env.get(name):
        return Secret(value=env[name])
    if env.get(f"{name}_PARAM"):
        return Secret(parameter=env[f"{name}_PARAM"])
    return None


def _missing(env, provider):
    """Every setting the stage and its provider need that ``env`` lacks, by name."""
    missing = [name for name in ("STAGE", "SITE_ORIGIN", "EMAIL_FROM") if not env.get(name)]
    if provider == "authy":
        if not env.get("AUTHY_CALLBACK_URL"):
            missing.append("AUTHY_CALLBACK_URL")
        if not _secret(env, "AUTHY_API_KEY"):
            missing.append("AUTHY_API_KEY (or AUTHY_API_KEY_PARAM)")
        return missing
    if not env.get("VERIFY_SERVICE_SID"):
        missing.append("VERIFY_SERVICE_SID")
    if env.get("TWILIO_API_KEY_SID"):
        if not _secret(env, "TWILIO_API_KEY_SECRET"):
            missing.append("TWILIO_API_KEY_SECRET (or TWILIO_API_KEY_SECRET_PARAM)")
        return missing
    if not env.get("TWILIO_ACCOUNT_SID"):
        missing.append("TWILIO_ACCOUNT_SID (or TWILIO_API_KEY_SID)")
    if not _secret(env, "TWILIO_AUTH_TOKEN"):
        missing.append("TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_PARAM)")
    return missing


def load_settings(env=None):
    """Build Settings from ``env`` (default os.environ); name every missing variable."""
    env = os.environ if env is None else env
    provider = (env.get("FACTOR_PROVIDER") or "authy").strip().lower()
    if provider not in PROVIDERS:
        raise ConfigurationError(f"FACTOR_PROVIDER must be one of {', '.join(PROVIDERS)}")
    missing = _missing(env, provider)
    if missing:
        raise ConfigurationError("missing configuration: " + ", ".join(missing))
    stage = env["STAGE"]
    return _guarded(
        Settings(
            stage=stage,
            site_origin=check_origin("SITE_ORIGIN", env["SITE_ORIGIN"], stage),
            app_name=env.get("APP_NAME") or "Twofold",
            email_from=check_sender(env["EMAIL_FROM"]),
            factor_provider=provider,
            vendor_read_timeout=_number(env, "VENDOR_READ_TIMEOUT", 4.0, float, most=20),
            per_ip_limit_factor=_number(env, "PER_IP_LIMIT_FACTOR", 1),
            websocket_management_url=_url(env, "WEBSOCKET_MANAGEMENT_URL"),
            cors_origin=check_origin("CORS_ORIGIN", env["CORS_ORIGIN"], stage)
            if env.get("CORS_ORIGIN")
            else None,
            edge_secret=_secret(env, "EDGE_SECRET"),
            authy_api_url=_url(env, "AUTHY_API_URL") or DEFAULT_AUTHY_API_URL,
            authy_key=_secret(env, "AUTHY_API_KEY"),
            authy_callback_url=env.get("AUTHY_CALLBACK_URL") or None,
            authy_callback_max_age=_number(env, "AUTHY_CALLBACK_MAX_AGE", 300),
            verify_api_url=_url(env, "VERIFY_API_URL") or DEFAULT_VERIFY_API_URL,
            verify_service_sid=env.get("VERIFY_SERVICE_SID") or None,
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=_secret(env, "TWILIO_AUTH_TOKEN"),
            twilio_api_key_sid=env.get("TWILIO_API_KEY_SID") or None,
            twilio_api_key_secret=_secret(env, "TWILIO_API_KEY_SECRET"),
        )
    )


def _url(env, name):
    return (env.get(name) or "").strip().rstrip("/") or None


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
            ("VERIFY_API_URL", config.verify_api_url),
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
