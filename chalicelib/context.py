"""Who is asking: the client's IP (from API Gateway, or from our CloudFront) and browser."""

import hmac
import ipaddress
import re
from dataclasses import dataclass

from chalicelib.config import settings

EDGE_HEADER = "x-twofold-edge"  # our CloudFront adds it, with EDGE_SECRET, to each request

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


@dataclass(frozen=True)
class RequestContext:
    ip: str
    user_agent: str

    @property
    def network(self):
        """What per-IP limits count: an IPv4 address, or the /64 an IPv6 address is in."""
        return network_of(self.ip)

    @property
    def browser(self):
        """A short description such as "Chrome on Linux" for the phone's details."""
        return describe_browser(self.user_agent)


def from_request(request):
    """Build the context from a Chalice request; the IP is API Gateway's sourceIp, or the
    viewer's when the request came through our CloudFront (see client_ip)."""
    identity = (request.context or {}).get("identity") or {}
    headers = request.headers or {}
    ip = str(identity.get("sourceIp") or "unknown")
    if headers.get(EDGE_HEADER):
        ip = client_ip(headers, ip, settings().edge_secret)
    return RequestContext(
        ip=ip[:64],
        user_agent=re.sub(r"[\x00-\x1f\x7f]", "", headers.get("user-agent", ""))[:512],
    )


def network_of(ip):
    """``2001:db8:1:2::7`` → ``2001:db8:1:2::/64``; IPv4 (mapped or not) stays an address.

    One IPv6 subscriber usually gets a whole /64 (RFC 6177), so counting addresses would let
    one client be 2**64 clients. Anything that is not an address is counted as it is.
    """
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, 64), strict=False))


def client_ip(headers, source_ip, edge_secret):
    """The viewer's address, for a request our CloudFront forwarded; else ``source_ip``.

    Behind CloudFront, API Gateway's sourceIp is a CloudFront server's: every visitor of
    an edge location would share one set of per-IP limits and show one IP on the push.
    CloudFront appends the viewer's address to X-Forwarded-For (entries before it are
    the viewer's own words; after it only sourceIp can follow). Anyone can call the API
    directly with any X-Forwarded-For, so it is believed only with the distribution's
    secret, an origin header CloudFront writes over whatever a viewer sent.
    """
    sent = headers.get(EDGE_HEADER) or ""
    if edge_secret is None or not hmac.compare_digest(
        sent.encode("utf-8"), edge_secret.reveal().encode("utf-8")
    ):
        return source_ip
    hops = [hop.strip() for hop in headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    while hops and hops[-1] == source_ip:
        hops.pop()
    return hops[-1] if hops else source_ip


def describe_browser(user_agent):
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "A browser")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    return f"{browser} on {system}" if system else browser
