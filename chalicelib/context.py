"""Who is asking: the client's IP (from API Gateway, never from a header) and browser."""

import ipaddress
import re
from dataclasses import dataclass

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
    """Build the context from a Chalice request; the IP is API Gateway's sourceIp."""
    identity = (request.context or {}).get("identity") or {}
    user_agent = (request.headers or {}).get("user-agent", "")
    return RequestContext(
        ip=str(identity.get("sourceIp") or "unknown")[:64],
        user_agent=re.sub(r"[\x00-\x1f\x7f]", "", user_agent)[:512],
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


def describe_browser(user_agent):
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "A browser")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    return f"{browser} on {system}" if system else browser
