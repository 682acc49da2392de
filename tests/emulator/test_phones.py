"""Masked phone numbers as Authy shows them."""

import pytest

from devstack.emulator.phones import sent_to, status_number


@pytest.mark.parametrize(
    "digits, expected",
    [("5551234502", "XXX-XXX-4502"), ("3001234567", "XXX-XXX-4567"), ("91234567", "XXX-X45-67")],
)
def test_status_number(digits, expected):
    assert status_number(digits) == expected


@pytest.mark.parametrize(
    "country_code, digits, expected",
    [(1, "5551234502", "+1-XXX-XXX-XX02"), (57, "3001234567", "+57-XXX-XXX-XX67")],
)
def test_sent_to(country_code, digits, expected):
    assert sent_to(country_code, digits) == expected
