"""devstack.site: the site's origin over real HTTP, files and /api/* alike, with the headers."""

import http.server
import json
import threading

import pytest
import requests

from chalicelib.headers import site_headers
from devstack import site

WS_URL = "ws://127.0.0.1:8001"


def test_config_js_names_the_socket_and_nothing_else():
    assert site.config_js() == "export const config = {wsUrl: null};\n"
    assert site.config_js(WS_URL) == f'export const config = {{wsUrl: "{WS_URL}"}};\n'


def test_config_js_escapes_what_it_embeds():
    assert '\\"' in site.config_js('wss://ws.example/api";alert(1);"')


@pytest.mark.parametrize("bad", ["", "127.0.0.1:8000", "https://x.example/api", "ftp://x"])
def test_the_api_must_be_an_http_origin(bad):
    with pytest.raises(ValueError):
        site.make_server(0, bad)


def test_a_bad_socket_url_is_refused():
    with pytest.raises(ValueError):
        site.make_server(0, "http://127.0.0.1:9", ws_url="http://127.0.0.1:8001")


class FakeApi(http.server.BaseHTTPRequestHandler):
    """Answers every request with what it received, as JSON; /slow never answers in time."""

    def _echo(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        echoed = {
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers.items()),
            "body": body.decode("utf-8"),
        }
        answer = json.dumps(echoed).encode()
        self.send_response(429 if self.path.startswith("/limited") else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Retry-After", "30")
        self.send_header("Cache-Control", "no-store")
        self.send_header("x-frame-options", "SAMEORIGIN")  # the site's policy must win
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _echo  # noqa: N815

    def log_message(self, *args):
        pass


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return thread


@pytest.fixture
def api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    _serve(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def served(tmp_path, api):
    (tmp_path / "index.html").write_text("<p>home</p>")
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("export {};")
    (tmp_path / "site.css").write_text("body{}")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("nope")
    server = site.make_server(0, api, tmp_path, ws_url=WS_URL)
    _serve(server)
    yield site.public_url(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_the_site_is_served_by_name(served):
    assert served.startswith("http://localhost:")


@pytest.mark.parametrize(
    "path, content_type, body, cache",
    [
        ("/", "text/html; charset=utf-8", "<p>home</p>", "no-cache"),
        ("/index.html", "text/html; charset=utf-8", "<p>home</p>", "no-cache"),
        ("/js/app.js", "text/javascript; charset=utf-8", "export {};", "public, max-age=300"),
        ("/site.css", "text/css; charset=utf-8", "body{}", "public, max-age=300"),
        ("/favicon.svg", "image/svg+xml", "<svg/>", "public, max-age=300"),
        ("/config.js", "text/javascript; charset=utf-8", site.config_js(WS_URL), "no-cache"),
    ],
)
def test_files_are_served_with_their_type_and_the_deploys_caching(
    served, path, content_type, body, cache
):
    """As CloudFront serves them from the bucket: pages asked again, assets kept 5 min."""
    response = requests.get(served + path, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Cache-Control"] == cache
    assert response.text == body


@pytest.mark.parametrize("path", ["/missing.html", "/../secret.txt", "/%2e%2e/secret.txt", "/js/"])
def test_nothing_else_is_served(served, path):
    response = requests.get(served + path, timeout=5)
    assert response.status_code == 404
    assert "nope" not in response.text


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/"), ("GET", "/config.js"), ("GET", "/missing.html"), ("HEAD", "/index.html")]
    + [("POST", "/api/login"), ("GET", "/api/login/status"), ("POST", "/index.html")],
)
def test_every_answer_carries_the_security_headers(served, method, path):
    response = requests.request(method, served + path, timeout=5)
    for name, value in site_headers(WS_URL).items():
        assert response.headers.get(name) == value, name
    assert "connect-src 'self' ws://127.0.0.1:8001;" in response.headers["Content-Security-Policy"]


def test_api_requests_reach_the_api_without_the_prefix_or_the_browsers_host(served, api):
    response = requests.post(
        f"{served}/api/login/verify?x=1&x=2",
        json={"token": "123456"},
        headers={"Authorization": "Bearer abc", "Origin": served},
        timeout=5,
    )
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/login/verify?x=1&x=2"
    assert json.loads(echoed["body"]) == {"token": "123456"}
    assert echoed["headers"]["Authorization"] == "Bearer abc"
    assert echoed["headers"]["Host"] == api.removeprefix("http://")  # never the site's
    assert response.headers["Cache-Control"] == "no-store"


def test_like_cloudfront_the_proxy_names_the_browser_and_shows_its_secret(tmp_path, api):
    server = site.make_server(0, api, tmp_path, edge_secret="the-stacks-secret")
    _serve(server)
    try:
        response = requests.get(
            f"{site.public_url(server.server_address[1])}/api/account",
            headers={"X-Forwarded-For": "192.0.2.66", "X-Twofold-Edge": "a guess"},
            timeout=5,
        )
    finally:
        server.shutdown()
        server.server_close()
    echoed = {k.lower(): v for k, v in response.json()["headers"].items()}
    assert echoed["x-forwarded-for"] == "192.0.2.66, 127.0.0.1"  # the browser's, appended
    assert echoed["x-twofold-edge"] == "the-stacks-secret"


def test_without_a_secret_a_browsers_edge_header_goes_nowhere(served):
    response = requests.get(f"{served}/api/x", headers={"X-Twofold-Edge": "a guess"}, timeout=5)
    assert "x-twofold-edge" not in {k.lower() for k in response.json()["headers"]}


def test_the_apis_status_and_headers_come_back(served):
    response = requests.get(f"{served}/api/limited", timeout=5)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.raw.headers.getlist("X-Frame-Options") == ["DENY"]


def test_only_get_and_head_outside_the_api(served):
    response = requests.post(f"{served}/index.html", timeout=5)
    assert response.status_code == 405


def test_an_api_that_does_not_answer_is_a_502(tmp_path):
    server = site.make_server(0, "http://127.0.0.1:9", tmp_path)  # nothing on the discard port
    _serve(server)
    try:
        response = requests.post(f"{site.public_url(server.server_address[1])}/api/x", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 502
