"""devstack.stack: clear errors, and nothing left running after the stack stops."""

import json
import os
import socket
import sys

import pytest

from devstack.processes import Child, StackError
from devstack.stack import Stack


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_busy_port_is_a_one_line_error(busy_port):
    stack = Stack(api_port=busy_port)
    with pytest.raises(StackError) as caught:
        stack.start()
    message = str(caught.value)
    assert message == (
        f"port {busy_port} (api) is already in use on 127.0.0.1: "
        "stop what holds it or choose another port"
    )
    assert stack.children == []


def test_config_json_may_not_point_the_api_elsewhere(tmp_path):
    (tmp_path / ".chalice").mkdir()
    config = {
        "environment_variables": {"AUTHY_API_URL": "https://api.authy.com"},
        "stages": {"local": {"environment_variables": {"STAGE": "local"}}},
    }
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps(config))
    stack = Stack(project_dir=tmp_path)
    with pytest.raises(StackError, match="AUTHY_API_URL='https://api.authy.com'"):
        stack.start()
    assert stack.children == []


def test_a_child_that_dies_is_reported_with_its_log(tmp_path):
    script = "print('cannot open the widget'); raise SystemExit(3)"
    child = Child(
        "widget", [sys.executable, "-c", script], dict(os.environ), tmp_path, tmp_path / "w.log"
    )
    try:
        with pytest.raises(StackError) as caught:
            child.wait_until_answering("http://127.0.0.1:9/", deadline=float("inf"))
    finally:
        child.stop()
    assert "widget exited with code 3 while starting" in str(caught.value)
    assert "cannot open the widget" in str(caught.value)


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return False
    return True


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_stack_stops_every_process_it_started():
    """A stack of its own, to watch it stop."""
    with Stack() as own:
        pids = [child.process.pid for child in own.children]
        assert len(pids) == 5  # DynamoDB, emulator, API, WebSocket gateway, site
        assert all(alive(pid) for pid in pids)
        log_dir = own.log_dir
        urls = [own.site_url, own.api_url, own.emulator_url, own.dynamodb_url]
        urls += [own.ws_url, own.ws_management_url]
    assert not any(alive(pid) for pid in pids)
    assert not log_dir.exists()
    assert not any(listening(int(url.rsplit(":", 1)[1])) for url in urls)
