"""The app's codes: RFC 6238 (SHA-1), cut to 7 digits."""

import pytest

from devstack.emulator import totp

RFC_SECRET = b"12345678901234567890"


@pytest.mark.parametrize(
    "now, eight_digits",
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_rfc_6238_vectors_cut_to_seven_digits(now, eight_digits):
    assert totp.code_at(RFC_SECRET, now, digits=8) == eight_digits
    assert totp.code_at(RFC_SECRET, now) == eight_digits[1:]


def test_the_previous_step_is_still_accepted():
    assert totp.accepted_codes(RFC_SECRET, 60) == {
        totp.code_at(RFC_SECRET, 60),
        totp.code_at(RFC_SECRET, 59),
    }


@pytest.mark.parametrize("now, left", [(0, 30), (1, 29), (29.5, 1), (30, 30)])
def test_seconds_left(now, left):
    assert totp.seconds_left(now) == left
