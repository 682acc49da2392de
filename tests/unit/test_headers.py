"""chalicelib.headers: the one definition of the site's security headers."""

import pytest

from chalicelib.headers import content_security_policy, site_headers, websocket_origin


def _directives(csp):
    return dict(part.split(" ", 1) for part in csp.split("; "))


def test_the_pages_run_only_our_own_code_and_cannot_be_framed():
    directives = _directives(content_security_policy())
    assert directives == {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "form-action": "'self'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
    }


@pytest.mark.parametrize(
    "url, source",
    [
        (
            "wss://ws1.execute-api.eu-west-1.amazonaws.com/api/",
            "wss://ws1.execute-api.eu-west-1.amazonaws.com",
        ),
        ("ws://127.0.0.1:8001", "ws://127.0.0.1:8001"),
    ],
)
def test_the_socket_is_the_one_other_place_pages_may_connect_to(url, source):
    assert _directives(content_security_policy(url))["connect-src"] == f"'self' {source}"


@pytest.mark.parametrize("bad", ["", "https://ws.example", "ws.example", "javascript:x"])
def test_a_socket_url_must_be_ws_or_wss(bad):
    with pytest.raises(ValueError):
        websocket_origin(bad)


def test_every_header_the_issue_asks_for():
    headers = site_headers("wss://ws.example/api")
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
