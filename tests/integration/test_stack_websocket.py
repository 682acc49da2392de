"""The stack's WebSocket wiring: ports, config.js, the CSP header, the environment."""

import json

import pytest
import requests

from devstack import run
from devstack.processes import StackError
from devstack.stack import Stack

PAGES = ("index.html", "login.html", "signup.html", "account.html")


def test_config_js_names_the_socket(stack):
    config = requests.get(f"{stack.site_url}/config.js", timeout=5).text
    assert f'wsUrl: "{stack.ws_url}"' in config
    assert stack.ws_url.startswith("ws://127.0.0.1:")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_may_connect_to_its_own_origin_and_the_socket(stack, page):
    response = requests.get(f"{stack.site_url}/{page}", timeout=5)
    csp = response.headers["Content-Security-Policy"]
    assert f"connect-src 'self' {stack.ws_url};" in csp
    assert "frame-ancestors 'none'" in csp
    assert "Content-Security-Policy" not in response.text  # the header is the one copy


def test_the_api_and_the_gateway_post_to_the_same_connections_endpoint(stack):
    assert stack.environment()["WEBSOCKET_MANAGEMENT_URL"] == stack.ws_management_url
    assert requests.get(f"{stack.ws_management_url}/stats", timeout=5).json()["open"] >= 0


def test_config_json_may_not_move_the_connections_endpoint(tmp_path):
    (tmp_path / ".chalice").mkdir()
    local = {"environment_variables": {"WEBSOCKET_MANAGEMENT_URL": "https://x.example/api"}}
    config = {"stages": {"local": local}}
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps(config))
    stack = Stack(project_dir=tmp_path)
    with pytest.raises(StackError, match="WEBSOCKET_MANAGEMENT_URL"):
        stack.start()
    assert stack.children == []


def test_make_run_ports_for_the_gateway():
    ports = {**run.DEFAULT_PORTS, **run.GATEWAY_PORTS}
    assert run.ports_from_env({}, ports)["WS_PORT"] == 8001
    assert run.ports_from_env({}, ports)["WS_CONNECTIONS_PORT"] == 8002
    assert run.ports_from_env({"WS_PORT": "9001"}, ports)["WS_PORT"] == 9001
    with pytest.raises(StackError, match="WS_CONNECTIONS_PORT must be a port number"):
        run.ports_from_env({"WS_CONNECTIONS_PORT": "x"}, ports)


def test_the_banner_names_the_socket(stack):
    assert stack.ws_url in run.banner(stack)
