"""Phone numbers: checked with ``phonenumbers`` for their country, stored as E.164.

Only numbers a person carries are taken: ``phonenumbers`` must type them as mobile (or as
fixed-line-or-mobile, where a country's plan does not tell the two apart, as in NANP).
Premium-rate, shared-cost, toll-free, VoIP, pager and personal numbers are where SMS
pumping pays, and none of them is a phone in someone's pocket.

``phonenumbers`` (18 ms to import, its metadata) is imported by signup only: a login
never parses a number, and masking a stored one needs only its country code.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Phone:
    country_code: int
    national: str  # national significant number, digits only (what Authy takes)
    e164: str


def parse_phone(form, country_code, name="phone"):
    """The field ``name`` as a valid number of ``country_code``, or None with the error noted."""
    import phonenumbers

    carried = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    raw = form.text(name, max_len=32)
    if raw is None or country_code is None:
        return None
    region = phonenumbers.region_code_for_country_code(country_code)
    if region == phonenumbers.UNKNOWN_REGION:
        form.fail("country_code", "is not a known calling code")
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != country_code
        or not phonenumbers.is_valid_number(number)
    ):
        form.fail(name, "is not a valid phone number for this country code")
        return None
    if phonenumbers.number_type(number) not in carried:
        form.fail(name, "must be a mobile phone number (not premium-rate, toll-free or VoIP)")
        return None
    return Phone(
        country_code=country_code,
        national=phonenumbers.national_significant_number(number),
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    )


def mask(e164, country_code):
    """``+12015550123`` → ``+1 ••• ••• 0123`` (country code and last four digits)."""
    return f"+{int(country_code)} ••• ••• {e164[-4:]}"
