"""Phone numbers as Authy shows them: grouped digits with all but the last few masked."""


def _groups(digits):
    """Split into threes from the left, leaving a last group of 2 to 4 digits."""
    groups = []
    while len(digits) > 4:
        groups.append(digits[:3])
        digits = digits[3:]
    return [*groups, digits]


def masked(digits, visible):
    """``XXX-XXX-1234`` for ``visible=4``; ``XXX-XXX-XX34`` for ``visible=2``."""
    hidden = "X" * (len(digits) - visible) + digits[-visible:]
    out, start = [], 0
    for group in _groups(digits):
        out.append(hidden[start : start + len(group)])
        start += len(group)
    return "-".join(out)


def status_number(digits):
    """The ``phone_number`` of a user's status, e.g. ``XXX-XXX-1234``."""
    return masked(digits, 4)


def sent_to(country_code, digits):
    """The ``cellphone`` of an SMS or call answer, e.g. ``+1-XXX-XXX-XX02``."""
    return f"+{country_code}-{masked(digits, 2)}"
