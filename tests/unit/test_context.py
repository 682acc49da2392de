"""chalicelib.context: who is asking, directly or through our CloudFront."""

import types

import pytest

from chalicelib.config import Secret
from chalicelib.context import client_ip, from_request

SECRET = Secret(value="s3cret-from-the-deploy")
EDGE = "198.51.100.9"  # a CloudFront server: API Gateway's sourceIp behind the distribution


@pytest.mark.parametrize(
    "forwarded, viewer",
    [
        ("203.0.113.7", "203.0.113.7"),  # a regional API: CloudFront's entry is the last
        (f"203.0.113.7, {EDGE}", "203.0.113.7"),  # edge-optimized: its CloudFront adds ours
        (f"10.0.0.1, 192.0.2.66, 203.0.113.7, {EDGE}", "203.0.113.7"),  # the viewer's own
        ("2001:db8::7", "2001:db8::7"),
    ],
)
def test_through_our_cloudfront_the_viewer_is_the_last_address_it_appended(forwarded, viewer):
    headers = {"x-twofold-edge": SECRET.value, "x-forwarded-for": forwarded}
    assert client_ip(headers, EDGE, SECRET) == viewer


@pytest.mark.parametrize(
    "headers, secret",
    [
        ({"x-twofold-edge": "a guess", "x-forwarded-for": "192.0.2.66"}, SECRET),
        ({"x-twofold-edge": "", "x-forwarded-for": "192.0.2.66"}, SECRET),
        ({"x-forwarded-for": "192.0.2.66"}, SECRET),
        ({"x-twofold-edge": "s3cret-from-the-deploy", "x-forwarded-for": "192.0.2.66"}, None),
        ({"x-twofold-edge": SECRET.value}, SECRET),  # no X-Forwarded-For at all
    ],
)
def test_without_the_secret_the_address_is_api_gateways(headers, secret):
    """Anyone may call execute-api directly and write X-Forwarded-For: it is not believed."""
    assert client_ip(headers, "203.0.113.50", secret) == "203.0.113.50"


def test_from_request_asks_for_the_secret_only_when_the_header_is_there(monkeypatch):
    import chalicelib.context

    asked = []
    config = types.SimpleNamespace(edge_secret=SECRET)
    monkeypatch.setattr(chalicelib.context, "settings", lambda: asked.append(1) or config)

    def request(headers):
        context = {"identity": {"sourceIp": EDGE}}
        return types.SimpleNamespace(context=context, headers={"user-agent": "x", **headers})

    assert from_request(request({})).ip == EDGE and asked == []
    edge = {"x-twofold-edge": SECRET.value, "x-forwarded-for": f"203.0.113.7, {EDGE}"}
    assert from_request(request(edge)).ip == "203.0.113.7" and asked == [1]
