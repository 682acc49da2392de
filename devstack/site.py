"""Serve static_site/ on loopback the way it is deployed: API origins filled in, no caching.

``python -m devstack.site --port 8080 --api-url http://127.0.0.1:8000
[--ws-url ws://127.0.0.1:8001]``. The render functions are pure, so a deploy script can
produce the same files for S3.
"""

import argparse
import contextlib
import http.server
import json
import pathlib
import sys
import urllib.parse

SITE_DIR = pathlib.Path(__file__).resolve().parents[1] / "static_site"
API_ORIGIN_PLACEHOLDER = "__API_ORIGIN__"
HOST = "127.0.0.1"
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


def api_origin(api_url):
    """``https://x.execute-api.eu-west-1.amazonaws.com/api`` → its origin, for the CSP."""
    return _origin(api_url, ("http", "https"))


def ws_origin(ws_url):
    """``wss://y.execute-api.eu-west-1.amazonaws.com/api`` → its origin, for the CSP."""
    return _origin(ws_url, ("ws", "wss"))


def _origin(url, schemes):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in schemes or not parts.netloc:
        raise ValueError(f"not a {'/'.join(schemes)} URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def connect_sources(api_url, ws_url=None):
    """What the CSP's ``connect-src`` adds to 'self': the API's origin, and the socket's."""
    sources = [api_origin(api_url)]
    if ws_url:
        sources.append(ws_origin(ws_url))
    return " ".join(sources)


def config_js(api_url, ws_url=None):
    """The site's ``/config.js`` module."""
    return (
        f"export const config = {{apiBase: {json.dumps(api_url)}, wsUrl: {json.dumps(ws_url)}}};\n"
    )


def render(name, content, api_url, ws_url=None):
    """A site file as it is served: ``.html`` gets the API origins, everything else is as is."""
    if not name.endswith(".html"):
        return content
    text = content.decode("utf-8")
    return text.replace(API_ORIGIN_PLACEHOLDER, connect_sources(api_url, ws_url)).encode("utf-8")


def content_type(name):
    return CONTENT_TYPES.get(pathlib.PurePosixPath(name).suffix.lower(), "application/octet-stream")


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD of files under the site directory; no listings, nothing outside it."""

    site_dir = SITE_DIR
    api_url = ""
    ws_url = None
    server_version = "devstack-site"

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self._serve(with_body=True)

    def do_HEAD(self):  # noqa: N802
        self._serve(with_body=False)

    def _serve(self, with_body):
        found = self._find(urllib.parse.urlsplit(self.path).path)
        if found is None:
            self._answer(404, b"Not found\n", "text/plain; charset=utf-8", with_body)
            return
        name, content = found
        self._answer(
            200, render(name, content, self.api_url, self.ws_url), content_type(name), with_body
        )

    def _find(self, url_path):
        """``(name, bytes)`` of the file a URL path names, or None."""
        relative = urllib.parse.unquote(url_path).lstrip("/") or "index.html"
        if relative == "config.js":
            return relative, config_js(self.api_url, self.ws_url).encode("utf-8")
        root = self.site_dir.resolve()
        file = (root / relative).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_relative_to(root) or not file.is_file():
            return None
        return file.name, file.read_bytes()

    def _answer(self, status, body, kind, with_body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stderr.write(f"site: {self.address_string()} {format % args}\n")


def make_server(port, api_url, site_dir=SITE_DIR, ws_url=None):
    """A threaded server for the site on loopback (port 0: any free port)."""
    connect_sources(api_url, ws_url)  # fail early on a bad URL
    handler = type(
        "Handler",
        (SiteHandler,),
        {"api_url": api_url, "ws_url": ws_url, "site_dir": site_dir},
    )
    server = http.server.ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m devstack.site", description=__doc__)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--ws-url", default=None, help="the WebSocket API (config.wsUrl)")
    parser.add_argument("--site-dir", type=pathlib.Path, default=SITE_DIR)
    args = parser.parse_args(argv)
    try:
        server = make_server(args.port, args.api_url.rstrip("/"), args.site_dir, args.ws_url)
    except OSError as exc:
        sys.exit(f"site: cannot listen on {HOST}:{args.port}: {exc.strerror or exc}")
    except ValueError as exc:
        sys.exit(f"site: {exc}")
    print(
        f"Site on http://{HOST}:{args.port} (API {args.api_url}, WebSocket {args.ws_url})",
        flush=True,
    )
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
