"""Request parameters the way Rails reads them: ``user[email]=``, ``logos[][url]=``, or JSON."""

import re

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def nest(pairs):
    """Turn ``(key, value)`` pairs with bracketed keys into nested dicts and lists."""
    params = {}
    for key, value in pairs:
        _assign(params, _split_key(key), value)
    return params


def _split_key(key):
    head, _, rest = key.partition("[")
    if not rest:
        return [key]
    return [head, *_KEY_PART.findall("[" + rest)]


def _assign(container, parts, value):
    name, rest = parts[0], parts[1:]
    if not rest:
        container[name] = value
    elif rest[0] == "":
        items = container.setdefault(name, [])
        if isinstance(items, list):
            _append(items, rest[1:], value)
    else:
        child = container.setdefault(name, {})
        if isinstance(child, dict):
            _assign(child, rest, value)


def _append(items, parts, value):
    """Rails' rule for ``a[][k]``: a key already set in the last element starts a new one."""
    if not parts:
        items.append(value)
        return
    last = items[-1] if items and isinstance(items[-1], dict) else None
    if last is None or parts[0] in last:
        last = {}
        items.append(last)
    _assign(last, parts, value)


def from_json(body):
    """A JSON object's params; flat bracketed keys (``"user[email]"``) are nested too."""
    flat = [(key, value) for key, value in body.items() if "[" in key]
    nested = {key: value for key, value in body.items() if "[" not in key}
    for key, value in nest(flat).items():
        if isinstance(value, dict) and isinstance(nested.get(key), dict):
            nested[key] = {**nested[key], **value}
        else:
            nested[key] = value
    return nested


def is_true(value):
    """Rails-style truthiness for flags such as ``force``."""
    return value is True or str(value).strip().lower() in {"true", "1", "yes", "on"}
