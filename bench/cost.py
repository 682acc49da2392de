"""AWS list prices (us-east-1) and what a login costs at them; the formula is in README.md."""

import dataclasses
import math

# US East (N. Virginia) list prices, free tiers ignored; see README.md for their source.
PRICES = {
    "lambda_request": 0.20 / 1e6,  # per invocation
    "lambda_gb_second": 0.0000166667,  # x86
    "rest_request": 3.50 / 1e6,  # API Gateway REST API, first 333 M a month
    "ws_message": 1.00 / 1e6,  # API Gateway WebSocket, first 1 B a month, 32 KB increments
    "ws_connection_minute": 0.25 / 1e6,
    "dynamodb_rru": 0.125 / 1e6,  # on demand, since 1 Nov 2024
    "dynamodb_wru": 0.625 / 1e6,
    "cloudfront_request": 1.00 / 1e6,  # HTTPS, US, Canada and Europe: $0.0100 per 10,000
}
LAMBDA_GB = 0.5  # lambda_memory_size 512 in .chalice/config.json


@dataclasses.dataclass
class LoginUsage:
    """What one login used, on average."""

    rest_requests: float  # every request API Gateway's REST API receives, preflights too
    lambda_invocations: float  # REST requests that reach Lambda, and WebSocket routes
    lambda_ms: float  # handler time, summed
    ws_messages: float  # frames in and out, and $connect / $disconnect (an upper bound)
    ws_connection_minutes: float
    rru: float
    wru: float
    cloudfront_requests: float = 0.0  # every request from the page to its origin, API too

    def plus(self, other, times=1.0):
        return LoginUsage(
            *(getattr(self, f.name) + times * getattr(other, f.name) for f in _fields())
        )


def _fields():
    return dataclasses.fields(LoginUsage)


def cost(usage):
    """US dollars, by part, for one login."""
    return {
        "API Gateway REST": usage.rest_requests * PRICES["rest_request"],
        "Lambda requests": usage.lambda_invocations * PRICES["lambda_request"],
        "Lambda duration": usage.lambda_ms / 1000 * LAMBDA_GB * PRICES["lambda_gb_second"],
        "API Gateway WebSocket": usage.ws_messages * PRICES["ws_message"]
        + usage.ws_connection_minutes * PRICES["ws_connection_minute"],
        "DynamoDB": usage.rru * PRICES["dynamodb_rru"] + usage.wru * PRICES["dynamodb_wru"],
        "CloudFront": usage.cloudfront_requests * PRICES["cloudfront_request"],
    }


def per_million(usage):
    return {part: dollars * 1e6 for part, dollars in cost(usage).items()}


def connection_minutes(connected_ms):
    """Connection minutes as billed: each connection rounded up to a whole minute."""
    return sum(max(1, math.ceil(ms / 60_000)) for ms in connected_ms)


def login_usage(usage, logins):
    """A phase's counted Usage (bench.counters) as the average of one login."""
    gateway = usage.gateway
    socket_routes = gateway["invocations"].get("$connect", 0) + gateway["invocations"].get(
        "$disconnect", 0
    )
    total = LoginUsage(
        rest_requests=len(usage.invocations) + len(usage.preflights),
        lambda_invocations=usage.lambda_invocations(),
        lambda_ms=usage.lambda_ms(),
        ws_messages=gateway["messages_in"] + gateway["posts"] + socket_routes,
        ws_connection_minutes=connection_minutes(gateway["connected_ms"]),
        rru=usage.dynamodb["read_units"],
        wru=usage.dynamodb["write_units"],
    )
    return LoginUsage(*(getattr(total, f.name) / logins for f in _fields()))


def through_cloudfront(usage, requests):
    """``usage`` plus the CloudFront requests the page made for it."""
    return dataclasses.replace(usage, cloudfront_requests=usage.cloudfront_requests + requests)


def with_preflights(usage, preflights):
    """``usage`` plus CORS preflights: REST API requests that API Gateway answers alone."""
    return dataclasses.replace(usage, rest_requests=usage.rest_requests + preflights)


def waiting(measured, poll, pending_polls, seconds, every_s, socket=False):
    """A measured login as if the person took ``seconds`` to approve.

    The ``pending_polls`` the measured login made are taken out and the polls of the wait
    put back (``poll`` is one pending GET /login/status, measured): ``seconds / every_s``
    for a page that polls (on average; a little fewer than the page makes, in polling's
    favour), or one every ``every_s`` from the socket's opening for its safety poll. A
    socket is billed by the started minute.
    """
    polls = math.floor(seconds / every_s) if socket else seconds / every_s
    stretched = measured.plus(poll, polls - pending_polls)
    if socket:
        minutes = max(1, math.ceil(seconds / 60))
        stretched = dataclasses.replace(stretched, ws_connection_minutes=minutes)
    return stretched
