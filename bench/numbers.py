"""Percentiles and friends, without numpy."""

import math


def percentile(values, fraction):
    """The nearest-rank percentile (``fraction`` 0.5 → p50); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def p50(values):
    return percentile(values, 0.50)


def p95(values):
    return percentile(values, 0.95)


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else None


def fmt(value, digits=0, unit=""):
    """A number for the report; an em dash when there is none."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{unit}"


def met(ok):
    """A goal table's last cell."""
    return "yes" if ok else "**no**"


def table(header, rows):
    """A Markdown table's lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines
