"""The headers the site is served with, defined once: security headers and file types.

CloudFront's response headers policy (``deploy/frontdoor.py``) and the local site server
(``devstack/site.py``) both send ``site_headers()``; the API adds ``API_HEADERS`` to its
JSON answers. A ``<meta>`` CSP cannot forbid framing, so the pages carry none: this is
the one copy. ``content_type`` is what S3 stores with each file and devstack sends.
"""

import pathlib
import urllib.parse

HSTS_MAX_AGE = 2 * 365 * 24 * 3600  # two years, what hstspreload.org asks for
HSTS_INCLUDE_SUBDOMAINS = True
FRAME_OPTIONS = "DENY"
REFERRER_POLICY = "no-referrer"
API_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": REFERRER_POLICY}
UNKNOWN_TYPE = "application/octet-stream"
# Pages and config.js are asked again each time (a deploy shows at once); scripts, styles
# and images are kept five minutes, so a page can fetch the next page's scripts early and
# the next page finds them in the cache. The login page shows the account page in place
# with its own copies of them only while they are this young (static_site/js/account-open.js).
REVALIDATE = "no-cache"
ASSET_CACHE = "public, max-age=300"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}


def websocket_origin(url):
    """``wss://x.execute-api.eu-west-1.amazonaws.com/api`` → its origin, for ``connect-src``."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise ValueError(f"not a ws/wss URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(websocket_url=None):
    """The pages' CSP: only our own scripts, styles and API, the socket, and no framing."""
    connect = ["'self'"] + ([websocket_origin(websocket_url)] if websocket_url else [])
    directives = (
        ("default-src", "'none'"),
        ("script-src", "'self'"),
        ("style-src", "'self'"),
        ("img-src", "'self' data:"),
        ("connect-src", " ".join(connect)),
        ("form-action", "'self'"),
        ("base-uri", "'none'"),
        ("frame-ancestors", "'none'"),
    )
    return "; ".join(f"{name} {value}" for name, value in directives)


def strict_transport_security():
    subdomains = "; includeSubDomains" if HSTS_INCLUDE_SUBDOMAINS else ""
    return f"max-age={HSTS_MAX_AGE}{subdomains}"


def site_headers(websocket_url=None):
    """Every security header of every answer from the site's origin, pages and API alike."""
    return {
        "Strict-Transport-Security": strict_transport_security(),
        "Content-Security-Policy": content_security_policy(websocket_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
        "X-Frame-Options": FRAME_OPTIONS,
    }


def content_type(name):
    """The Content-Type of a site file by its suffix; UNKNOWN_TYPE when it has none here."""
    return CONTENT_TYPES.get(pathlib.PurePosixPath(name).suffix.lower(), UNKNOWN_TYPE)


def cache_control(name):
    """The Cache-Control of a site file: CloudFront serves what the deploy sets, the local
    site the same."""
    revalidate = name.endswith(".html") or name == "config.js"
    return REVALIDATE if revalidate else ASSET_CACHE
