"""The site's origin on loopback, as CloudFront serves it: static_site/, and /api/* proxied.

``python -m devstack.site --port 8080 --api-url http://127.0.0.1:8000
[--ws-url ws://127.0.0.1:8001]``. Files come from static_site/ with a generated
``/config.js`` naming the WebSocket; ``/api/<path>`` goes to the API at ``<path>`` (API
Gateway's stage ``api`` is that prefix in the cloud; ``chalice local`` has none), never
with the browser's Host; like CloudFront, the proxy appends the browser's address to
X-Forwarded-For and, with EDGE_SECRET in its environment, shows the API that secret
(chalicelib/context.py). Every answer, pages and API alike, carries the security headers
of chalicelib.headers, the same ones CloudFront's response headers policy sends.
"""

import argparse
import contextlib
import http.client
import http.server
import json
import os
import pathlib
import sys
import urllib.parse

from chalicelib.context import EDGE_HEADER
from chalicelib.headers import cache_control, content_type, site_headers, websocket_origin

SITE_DIR = pathlib.Path(__file__).resolve().parents[1] / "static_site"
HOST = "127.0.0.1"
PUBLIC_HOST = "localhost"  # a name, not an address: WebAuthn takes it as a relying party
API_PREFIX = "/api/"
API_TIMEOUT = 60  # seconds; CloudFront's default origin read timeout is 30
# Hop-by-hop headers (RFC 9110 7.6.1) and what the proxy sets itself.
NOT_FORWARDED = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    EDGE_HEADER,  # only ever the proxy's own
}


def config_js(ws_url=None):
    """The site's ``/config.js`` module: where its pages open the WebSocket (None: they poll)."""
    return f"export const config = {{wsUrl: {json.dumps(ws_url)}}};\n"


def public_url(port):
    """The site's origin as a browser should use it."""
    return f"http://{PUBLIC_HOST}:{port}"


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD of files under the site directory; every method of /api/* to the API."""

    site_dir = SITE_DIR
    api_url = ""
    ws_url = None
    edge_secret = None
    server_version = "devstack-site"

    def do_GET(self):  # noqa: N802 - the names http.server calls
        self._dispatch(files=True, with_body=True)

    def do_HEAD(self):  # noqa: N802
        self._dispatch(files=True, with_body=False)

    def do_POST(self):  # noqa: N802
        self._dispatch(files=False)

    do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_POST  # noqa: N815

    def _dispatch(self, files, with_body=True):
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith(API_PREFIX):
            self._proxy()
        elif files:
            self._serve(path, with_body)
        else:  # CloudFront's default behaviour allows GET and HEAD only
            self._answer(405, b"Method not allowed\n", {"Allow": "GET, HEAD"})

    def _serve(self, path, with_body):
        found = self._find(path)
        if found is None:
            self._answer(404, b"Not found\n", with_body=with_body)
            return
        name, content = found
        headers = {"Content-Type": content_type(name), "Cache-Control": cache_control(name)}
        self._answer(200, content, headers, with_body)

    def _find(self, url_path):
        """``(name, bytes)`` of the file a URL path names, or None."""
        relative = urllib.parse.unquote(url_path).lstrip("/") or "index.html"
        if relative == "config.js":
            return relative, config_js(self.ws_url).encode("utf-8")
        root = self.site_dir.resolve()
        file = (root / relative).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_relative_to(root) or not file.is_file():
            return None
        return file.name, file.read_bytes()

    def _proxy(self):
        """Send the request on to the API, without the /api prefix and the Host; relay it."""
        target = urllib.parse.urlsplit(self.api_url)
        parts = urllib.parse.urlsplit(self.path)
        path = "/" + parts.path[len(API_PREFIX) :] + (f"?{parts.query}" if parts.query else "")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in NOT_FORWARDED}
        forwarded = [self.headers.get("X-Forwarded-For"), self.client_address[0]]
        headers = _merged(headers, {"X-Forwarded-For": ", ".join(filter(None, forwarded))})
        if self.edge_secret:
            headers[EDGE_HEADER] = self.edge_secret
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=API_TIMEOUT)
        try:
            upstream.request(self.command, path, body=body, headers=headers)
            response = upstream.getresponse()
            content = response.read()
        except OSError as exc:
            self.log_message("API unreachable: %s", exc)
            self._answer(502, b"Bad gateway: the API did not answer\n")
            return
        finally:
            upstream.close()
        relayed = {k: v for k, v in response.getheaders() if k.lower() not in NOT_FORWARDED}
        self._answer(response.status, content, relayed, with_body=self.command != "HEAD")

    def _answer(self, status, body, headers=None, with_body=True):
        headers = _merged({"Content-Type": "text/plain; charset=utf-8"}, headers or {})
        # As CloudFront's policy does (Override): ours win over an origin's.
        headers = _merged(headers, site_headers(self.ws_url))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stderr.write(f"site: {self.address_string()} {format % args}\n")


def _merged(headers, more):
    """``headers`` with ``more`` added, a name in ``more`` replacing it in any case."""
    replaced = {name.lower() for name in more}
    return {**{k: v for k, v in headers.items() if k.lower() not in replaced}, **more}


def make_server(port, api_url, site_dir=SITE_DIR, ws_url=None, edge_secret=None):
    """A threaded server for the site on loopback (port 0: any free port)."""
    if ws_url:
        websocket_origin(ws_url)  # fail early on a bad URL
    api = urllib.parse.urlsplit(api_url)
    if api.scheme != "http" or not api.hostname or api.path not in ("", "/"):
        raise ValueError(f"the API must be an http://host:port origin, not {api_url!r}")
    handler = type(
        "Handler",
        (SiteHandler,),
        {"api_url": api_url, "ws_url": ws_url, "site_dir": site_dir, "edge_secret": edge_secret},
    )
    server = http.server.ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m devstack.site", description=__doc__)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--api-url", required=True, help="where /api/* goes (chalice local)")
    parser.add_argument("--ws-url", default=None, help="the WebSocket API (config.wsUrl)")
    parser.add_argument("--site-dir", type=pathlib.Path, default=SITE_DIR)
    args = parser.parse_args(argv)
    try:
        server = make_server(
            args.port,
            args.api_url.rstrip("/"),
            args.site_dir,
            args.ws_url,
            edge_secret=os.environ.get("EDGE_SECRET") or None,
        )
    except OSError as exc:
        sys.exit(f"site: cannot listen on {HOST}:{args.port}: {exc.strerror or exc}")
    except ValueError as exc:
        sys.exit(f"site: {exc}")
    print(
        f"Site on {public_url(args.port)} (API {args.api_url} as /api, WebSocket {args.ws_url})",
        flush=True,
    )
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
