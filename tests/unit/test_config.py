"""chalicelib.config: every missing variable is named; defaults apply."""

import pytest

from chalicelib.config import load_settings
from chalicelib.errors import ConfigurationError

FULL = {
    "STAGE": "dev",
    "AUTHY_API_KEY": "k",
    "AUTHY_CALLBACK_URL": "https://x/authy/callback",
    "SITE_ORIGIN": "https://site.example/",
    "EMAIL_FROM": "no-reply@site.example",
}


def test_defaults():
    settings = load_settings(FULL)
    assert settings.authy_api_url == "https://api.authy.com"
    assert settings.authy_callback_max_age == 300
    assert settings.site_origin == "https://site.example"


def test_every_missing_variable_is_named():
    with pytest.raises(ConfigurationError) as error:
        load_settings({})
    for name in ("STAGE", "AUTHY_CALLBACK_URL", "SITE_ORIGIN", "AUTHY_API_KEY", "EMAIL_FROM"):
        assert name in str(error.value)


@pytest.mark.parametrize("value", ["soon", "-5", "0"])
def test_a_bad_max_age_is_named(value):
    with pytest.raises(ConfigurationError, match="AUTHY_CALLBACK_MAX_AGE"):
        load_settings({**FULL, "AUTHY_CALLBACK_MAX_AGE": value})


def test_the_api_key_can_come_from_ssm(aws):
    import boto3

    boto3.client("ssm", region_name="us-east-1").put_parameter(
        Name="/twofold/dev/authy-api-key", Value="from-ssm", Type="SecureString"
    )
    env = {k: v for k, v in FULL.items() if k != "AUTHY_API_KEY"}
    settings = load_settings({**env, "AUTHY_API_KEY_PARAM": "/twofold/dev/authy-api-key"})
    assert settings.authy_api_key == "from-ssm"


def test_the_key_is_read_from_ssm_on_first_use_not_with_the_settings(aws, monkeypatch):
    """The WebSocket handlers read settings but never the key: their roles may not read it."""
    from chalicelib import ssm

    reads = []
    monkeypatch.setattr(ssm, "secure_string", lambda name: reads.append(name) or "k1")
    env = {k: v for k, v in FULL.items() if k != "AUTHY_API_KEY"}
    settings = load_settings({**env, "AUTHY_API_KEY_PARAM": "/twofold/test/never-stored"})
    assert settings.site_origin and reads == []
    assert settings.authy_api_key == "k1"
    assert settings.authy_api_key == "k1"
    assert reads == ["/twofold/test/never-stored"]  # and once only


@pytest.mark.parametrize("value", ["0", "25", "soon"])
def test_a_bad_authy_timeout_is_named(value):
    with pytest.raises(ConfigurationError, match="VENDOR_READ_TIMEOUT"):
        load_settings({**FULL, "VENDOR_READ_TIMEOUT": value})


def test_the_authy_timeout_takes_fractions():
    assert load_settings({**FULL, "VENDOR_READ_TIMEOUT": "1.5"}).vendor_read_timeout == 1.5


@pytest.mark.parametrize(
    "name, value",
    [
        ("AUTHY_API_URL", "http://127.0.0.1:8025"),
        ("WEBSOCKET_MANAGEMENT_URL", "http://127.0.0.1:8002"),
        ("PER_IP_LIMIT_FACTOR", "1000000"),
        ("PER_IP_LIMIT_FACTOR", "2"),
    ],
)
@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_cloud_stage_refuses_what_only_the_local_stack_may_use(stage, name, value):
    with pytest.raises(ConfigurationError) as error:
        load_settings({**FULL, "STAGE": stage, name: value})
    assert name in str(error.value)


def test_the_local_stage_may_use_them():
    settings = load_settings(
        {
            **FULL,
            "STAGE": "local",
            "AUTHY_API_URL": "http://127.0.0.1:8025",
            "PER_IP_LIMIT_FACTOR": "100",
        }
    )
    assert settings.authy_api_url.startswith("http://") and settings.per_ip_limit_factor == 100


@pytest.mark.parametrize(
    "value",
    [
        "login.example.com",
        "ftp://login.example.com",
        "https://",
        "https://x.example/login",
        "https://x.example/?a=1",
        "https://user@x.example",
        "javascript:alert(1)",
    ],
)
def test_site_origin_must_be_an_origin(value):
    with pytest.raises(ConfigurationError, match="SITE_ORIGIN must be an origin"):
        load_settings({**FULL, "SITE_ORIGIN": value})


@pytest.mark.parametrize("name", ["SITE_ORIGIN", "CORS_ORIGIN"])
def test_prod_refuses_a_plain_http_origin(name):
    with pytest.raises(ConfigurationError, match=f"{name} must be https:// on the prod stage"):
        load_settings({**FULL, "STAGE": "prod", name: "http://login.example.com"})


def test_other_stages_may_use_http_origins():
    settings = load_settings({**FULL, "SITE_ORIGIN": "http://localhost:8080"})
    assert settings.site_origin == "http://localhost:8080"
    prod = load_settings({**FULL, "STAGE": "prod", "SITE_ORIGIN": "https://login.example.com/"})
    assert prod.site_origin == "https://login.example.com"


def test_cors_is_off_unless_an_origin_is_named():
    assert load_settings(FULL).cors_origin is None
    named = load_settings({**FULL, "CORS_ORIGIN": "https://elsewhere.example/"})
    assert named.cors_origin == "https://elsewhere.example"
    with pytest.raises(ConfigurationError, match="CORS_ORIGIN must be an origin"):
        load_settings({**FULL, "CORS_ORIGIN": "*"})


def test_the_sender_is_a_bare_address():
    assert load_settings({**FULL, "EMAIL_FROM": " login@mail.site.example "}).email_from == (
        "login@mail.site.example"
    )


@pytest.mark.parametrize(
    "value",
    ["Twofold <no-reply@site.example>", "no-reply", "no-reply@localhost", "a@b.c\nBcc: x@y.z"],
)
def test_a_sender_that_is_not_a_bare_address_is_named(value):
    with pytest.raises(ConfigurationError, match="EMAIL_FROM"):
        load_settings({**FULL, "EMAIL_FROM": value})
