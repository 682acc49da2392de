"""The phone's authenticator app: keys and otpauth URIs as people paste them."""

import base64
import threading

import pytest

from devstack.emulator import totp
from devstack.emulator.authenticator import Authenticator, BadKey, decode_key, parse_uri

RFC_SECRET = b"12345678901234567890"
RFC_KEY = base64.b32encode(RFC_SECRET).decode()  # GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ


@pytest.fixture
def app(clock):
    return Authenticator(threading.RLock(), clock)


@pytest.mark.parametrize(
    "pasted",
    [
        RFC_KEY,
        RFC_KEY.lower(),
        "gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
        RFC_KEY + "====",
        " " + RFC_KEY,
    ],
)
def test_a_key_is_read_as_people_paste_it(pasted):
    assert decode_key(pasted) == RFC_SECRET


@pytest.mark.parametrize("pasted", ["", "not a key!", "GEZDGNBV", "18"])
def test_what_is_not_a_key_is_refused_with_a_reason(pasted):
    with pytest.raises(BadKey):
        decode_key(pasted)


def test_an_otpauth_uri_gives_its_settings():
    uri = (
        "otpauth://totp/Twofold%20(local):ada%40example.com"
        f"?secret={RFC_KEY}&issuer=Twofold%20(local)&algorithm=SHA256&digits=8&period=60"
    )
    assert parse_uri(uri) == {
        "label": "ada@example.com",
        "issuer": "Twofold (local)",
        "secret": RFC_SECRET,
        "digits": 8,
        "period": 60,
        "algorithm": "sha256",
    }


def test_an_otpauth_uri_without_settings_is_sha1_six_digits_thirty_seconds():
    settings = parse_uri(f"otpauth://totp/ada?secret={RFC_KEY}")
    assert (settings["label"], settings["issuer"]) == ("ada", None)
    assert (settings["digits"], settings["period"], settings["algorithm"]) == (6, 30, "sha1")


@pytest.mark.parametrize(
    "uri",
    [
        f"otpauth://hotp/ada?secret={RFC_KEY}&counter=1",
        "otpauth://totp/ada",
        f"otpauth://totp/ada?secret={RFC_KEY}&digits=5",
        f"otpauth://totp/ada?secret={RFC_KEY}&algorithm=MD5",
        f"otpauth://totp/ada?secret={RFC_KEY}&period=0",
        f"https://totp/ada?secret={RFC_KEY}",
    ],
)
def test_uris_it_cannot_use_are_refused(uri):
    with pytest.raises(BadKey):
        parse_uri(uri)


def test_codes_follow_the_clock(app, clock):
    account = app.add(RFC_KEY, "mine")
    [view] = app.views()
    assert view["label"] == "mine"
    assert view["code"] == totp.code_at(RFC_SECRET, clock.now, digits=6)
    clock.advance(30)
    assert app.view(account)["code"] == totp.code_at(RFC_SECRET, clock.now, digits=6)
    assert app.view(account)["seconds_left"] == totp.seconds_left(clock.now)


def test_an_account_is_removed(app):
    account = app.add(RFC_KEY)
    app.remove(account.id)
    assert app.views() == []
    with pytest.raises(KeyError):
        app.remove(account.id)
