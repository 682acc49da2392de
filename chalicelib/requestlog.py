"""One JSON log line per request; chalicelib adds non-secret fields as it goes.

Only names listed in ``ALLOWED`` can be added, so a password, code or token can never
reach the log through here.

The Lambda Python runtime gives the root logger its handler but leaves the root level at
WARNING, so an INFO line from a logger that sets no level of its own is dropped before
any handler sees it. ``configure`` gives our loggers their level; their records still
propagate to the runtime's handler (levels of parent loggers are not consulted on the
way up, only their handlers'), so they reach CloudWatch as the runtime formats them.
"""

import contextvars
import json
import logging

log = logging.getLogger("twofold.request")

OUR_LOGGERS = ("twofold", "chalicelib")
ALLOWED = frozenset({"challenge_id", "outcome", "method", "event"})
_fields = contextvars.ContextVar("request_fields", default=None)


def configure(level=logging.INFO):
    """Log our INFO lines whatever level the root logger has (see the module docstring)."""
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(level)


def start():
    _fields.set({})


def note(**fields):
    """Add fields to this request's log line (only the allowed, non-secret names)."""
    current = _fields.get()
    if current is None:
        return
    for name, value in fields.items():
        if name not in ALLOWED:
            raise ValueError(f"{name} may not be logged")
        current[name] = value


def finish(route, http_method, status, latency_ms):
    line = {
        "route": route,
        "http_method": http_method,
        "status": status,
        "latency_ms": round(latency_ms, 1),
        **(_fields.get() or {}),
    }
    _fields.set(None)
    log.info(json.dumps(line, sort_keys=True))
