"""devstack.site: the render step, and the static server over real HTTP."""

import threading

import pytest
import requests

from devstack import site


def test_config_js_names_the_api():
    assert site.config_js("http://127.0.0.1:8000") == (
        'export const config = {apiBase: "http://127.0.0.1:8000", wsUrl: null};\n'
    )


def test_config_js_escapes_what_it_embeds():
    text = site.config_js('https://x.example/api";alert(1);"', ws_url="wss://ws.example")
    assert '\\"' in text
    assert 'wsUrl: "wss://ws.example"' in text


@pytest.mark.parametrize(
    "api_url, origin",
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        (
            "https://abc.execute-api.eu-west-1.amazonaws.com/api",
            "https://abc.execute-api.eu-west-1.amazonaws.com",
        ),
    ],
)
def test_html_gets_the_api_origin(api_url, origin):
    page = b"<meta content=\"connect-src 'self' __API_ORIGIN__\">"
    assert (
        site.render("login.html", page, api_url)
        == f"<meta content=\"connect-src 'self' {origin}\">".encode()
    )


def test_other_files_are_left_alone():
    assert site.render("app.js", b"__API_ORIGIN__", "http://127.0.0.1:8000") == b"__API_ORIGIN__"


@pytest.mark.parametrize("bad", ["", "127.0.0.1:8000", "javascript:alert(1)", "ftp://x"])
def test_a_bad_api_url_is_refused(bad):
    with pytest.raises(ValueError):
        site.api_origin(bad)


@pytest.fixture
def served(tmp_path):
    (tmp_path / "index.html").write_text("<p>__API_ORIGIN__</p>")
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("export {};")
    (tmp_path / "site.css").write_text("body{}")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("nope")
    server = site.make_server(0, "http://127.0.0.1:8000", tmp_path)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "path, content_type, body",
    [
        ("/", "text/html; charset=utf-8", "<p>http://127.0.0.1:8000</p>"),
        ("/index.html", "text/html; charset=utf-8", "<p>http://127.0.0.1:8000</p>"),
        ("/js/app.js", "text/javascript; charset=utf-8", "export {};"),
        ("/site.css", "text/css; charset=utf-8", "body{}"),
        ("/favicon.svg", "image/svg+xml", "<svg/>"),
        (
            "/config.js",
            "text/javascript; charset=utf-8",
            'export const config = {apiBase: "http://127.0.0.1:8000", wsUrl: null};\n',
        ),
    ],
)
def test_files_are_served_with_their_type_and_no_caching(served, path, content_type, body):
    response = requests.get(served + path, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Cache-Control"] == "no-store"
    assert response.text == body


@pytest.mark.parametrize("path", ["/missing.html", "/../secret.txt", "/%2e%2e/secret.txt", "/js/"])
def test_nothing_else_is_served(served, path):
    response = requests.get(served + path, timeout=5)
    assert response.status_code == 404
    assert "nope" not in response.text
