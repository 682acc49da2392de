"""devstack.websocket_gateway with stand-in handlers: events, handshakes, @connections.

The gateway runs in this process on free ports; the handlers record the events they get
and answer as a test tells them to. botocore's own ``apigatewaymanagementapi`` client
talks to the @connections port, as the app's handlers do.
"""

import asyncio
import concurrent.futures
import json
import queue
import threading
import time

import botocore.config
import botocore.session
import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from devstack.processes import listen
from devstack.websocket_gateway import events
from devstack.websocket_gateway.gateway import Gateway
from devstack.websocket_gateway.management import make_server
from devstack.websocket_gateway.server import run

ORIGIN = "http://127.0.0.1:8080"
API = {"api_id": "test0ws001", "stage": "api", "port": "0", "scheme": "http"}


class Handlers:
    """Stand-in Lambda handlers: every event is kept; ``answers`` decides $connect."""

    def __init__(self):
        self.events = queue.Queue()
        self.connect_answer = {"statusCode": 200}
        self.message_delay = 0.0
        self.fail_messages = False

    def as_routes(self):
        return {"$connect": self.connect, "$default": self.message, "$disconnect": self.disconnect}

    def connect(self, event, context):
        self.events.put(event)
        if isinstance(self.connect_answer, Exception):
            raise self.connect_answer
        return self.connect_answer

    def message(self, event, context):
        self.events.put(event)
        time.sleep(self.message_delay if event["body"] == "slow" else 0)
        if self.fail_messages:
            raise RuntimeError("the handler broke")

    def disconnect(self, event, context):
        self.events.put(event)

    def next(self, route, timeout=5):
        """The next event for ``route`` (earlier events of other routes are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if event["requestContext"]["routeKey"] == route:
                return event


class Running:
    def __init__(self, gateway, ws_url, management_url):
        self.gateway = gateway
        self.ws_url = ws_url
        self.management_url = management_url

    def client(self, endpoint_suffix=""):
        return botocore.session.get_session().create_client(
            "apigatewaymanagementapi",
            endpoint_url=self.management_url + endpoint_suffix,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )


@pytest.fixture
def handlers():
    return Handlers()


@pytest.fixture
def gateway(handlers):
    ws_sock, connections_sock = listen(0, "WebSocket"), listen(0, "@connections")
    ws_port = ws_sock.getsockname()[1]
    api = {**API, "domain_name": f"127.0.0.1:{ws_port}", "port": str(ws_port)}
    loop = asyncio.new_event_loop()
    executor = concurrent.futures.ThreadPoolExecutor(8)
    gateway = Gateway(handlers.as_routes(), api, executor, loop, send_timeout=0.5)
    management = make_server(gateway, connections_sock)
    stop, started = asyncio.Event(), threading.Event()
    thread = threading.Thread(
        target=loop.run_until_complete,
        args=(run(gateway, ws_sock, management, stop, started.set),),
        daemon=True,
    )
    thread.start()
    assert started.wait(5)
    yield Running(
        gateway, f"ws://127.0.0.1:{ws_port}", f"http://127.0.0.1:{management.server_address[1]}"
    )
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
    executor.shutdown(wait=True)
    loop.close()


def open_socket(gateway, path="/", **options):
    return connect(gateway.ws_url + path, origin=ORIGIN, open_timeout=5, **options)


def connection_id_of(handlers):
    return handlers.next("$connect")["requestContext"]["connectionId"]


# the events


def test_connect_carries_the_handshake_like_api_gateway(gateway, handlers):
    with open_socket(gateway, "/?lang=en", user_agent_header="test-agent/1"):
        event = handlers.next("$connect")
    context = event["requestContext"]
    assert context["routeKey"] == "$connect"
    assert context["eventType"] == "CONNECT"
    assert context["stage"] == "api"
    assert context["apiId"] == "test0ws001"
    assert context["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "test-agent/1"}
    assert abs(context["requestTimeEpoch"] - time.time() * 1000) < 5000
    assert len(context["connectionId"]) == 16
    assert event["headers"]["Origin"] == ORIGIN
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["multiValueHeaders"]["Origin"] == [ORIGIN]
    assert event["queryStringParameters"] == {"lang": "en"}


def test_frames_become_default_events_and_the_close_a_disconnect(gateway, handlers):
    with open_socket(gateway) as socket:
        connection_id = connection_id_of(handlers)
        socket.send('{"action": "watch"}')
        socket.send(b"\x00\xff")
        text, binary = handlers.next("$default"), handlers.next("$default")
    gone = handlers.next("$disconnect")

    assert text["body"] == '{"action": "watch"}'
    assert text["isBase64Encoded"] is False
    assert text["requestContext"]["eventType"] == "MESSAGE"
    assert text["requestContext"]["connectionId"] == connection_id
    assert (binary["body"], binary["isBase64Encoded"]) == ("AP8=", True)
    assert gone["requestContext"]["eventType"] == "DISCONNECT"
    assert gone["requestContext"]["connectionId"] == connection_id
    assert gone["requestContext"]["disconnectStatusCode"] == 1000


def test_connection_ids_are_unique():
    assert len({events.new_connection_id() for _ in range(1000)}) == 1000


# the handshake


@pytest.mark.parametrize(
    "answer, status",
    [({"statusCode": 403}, 403), ({"statusCode": 401}, 401), (RuntimeError("boom"), 500)],
)
def test_a_connect_handler_that_says_no_refuses_the_handshake(gateway, handlers, answer, status):
    handlers.connect_answer = answer
    with pytest.raises(InvalidStatus) as refused:
        open_socket(gateway)
    assert refused.value.response.status_code == status
    assert gateway.gateway.stats()["rejected"] == 1
    with pytest.raises(queue.Empty):
        handlers.next("$disconnect", timeout=0.3)  # never connected, so never disconnected


def test_a_slow_handler_holds_up_only_its_own_socket(gateway, handlers):
    handlers.message_delay = 1.5
    with open_socket(gateway) as slow, open_socket(gateway) as quick:
        slow_id, quick_id = connection_id_of(handlers), connection_id_of(handlers)
        slow.send("slow")
        started = time.monotonic()
        quick.send("quick")
        client = gateway.client()
        client.post_to_connection(ConnectionId=quick_id, Data=b"answer")
        assert quick.recv(timeout=1) == "answer"
        assert time.monotonic() - started < 1.0
        assert slow_id != quick_id


def test_a_failing_message_handler_answers_internal_server_error(gateway, handlers):
    handlers.fail_messages = True
    with open_socket(gateway) as socket:
        connection_id = connection_id_of(handlers)
        socket.send("anything")
        answer = json.loads(socket.recv(timeout=5))
    assert answer["message"] == "Internal server error"
    assert answer["connectionId"] == connection_id


# @connections


def test_a_post_arrives_as_one_text_frame(gateway, handlers):
    with open_socket(gateway) as socket:
        connection_id = connection_id_of(handlers)
        gateway.client().post_to_connection(ConnectionId=connection_id, Data=b'{"status": "ok"}')
        assert socket.recv(timeout=5) == '{"status": "ok"}'


def test_bytes_that_are_not_utf8_arrive_as_a_binary_frame(gateway, handlers):
    with open_socket(gateway) as socket:
        connection_id = connection_id_of(handlers)
        gateway.client().post_to_connection(ConnectionId=connection_id, Data=b"\xff\x00")
        assert socket.recv(timeout=5) == b"\xff\x00"


def test_the_endpoint_may_carry_the_stage(gateway, handlers):
    with open_socket(gateway) as socket:
        connection_id = connection_id_of(handlers)
        gateway.client("/api").post_to_connection(ConnectionId=connection_id, Data=b"staged")
        assert socket.recv(timeout=5) == "staged"


def test_an_unknown_or_closed_connection_is_gone(gateway, handlers):
    client = gateway.client()
    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId="nOtAcOnNeCtIoN=", Data=b"x")
    with open_socket(gateway):
        connection_id = connection_id_of(handlers)
    handlers.next("$disconnect")
    with pytest.raises(client.exceptions.GoneException) as gone:
        client.post_to_connection(ConnectionId=connection_id, Data=b"x")
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    assert gateway.gateway.stats()["gone"] == 2


def test_delete_closes_the_socket_and_runs_disconnect(gateway, handlers):
    with open_socket(gateway) as socket:
        connection_id = connection_id_of(handlers)
        gateway.client().delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=5)
    assert handlers.next("$disconnect")["requestContext"]["connectionId"] == connection_id


def test_get_connection_describes_it(gateway, handlers):
    with open_socket(gateway, user_agent_header="agent/2"):
        connection_id = connection_id_of(handlers)
        described = gateway.client().get_connection(ConnectionId=connection_id)
    assert described["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "agent/2"}
    assert described["ConnectedAt"] <= described["LastActiveAt"]


def test_too_much_data_is_refused(gateway, handlers):
    client = gateway.client()
    with open_socket(gateway):
        connection_id = connection_id_of(handlers)
        with pytest.raises(client.exceptions.PayloadTooLargeException):
            client.post_to_connection(ConnectionId=connection_id, Data=b"x" * (128 * 1024 + 1))


def test_a_client_that_stops_reading_is_throttled(gateway, handlers):
    client, chunk = gateway.client(), b"x" * (128 * 1024)
    # The close handshake waits behind what the client never read: give it up soon.
    with open_socket(gateway, max_queue=1, close_timeout=0.5) as socket:
        connection_id = connection_id_of(handlers)
        with pytest.raises(client.exceptions.LimitExceededException):
            for _ in range(500):  # the socket buffers fill first
                client.post_to_connection(ConnectionId=connection_id, Data=chunk)
        assert socket.recv(timeout=5) == chunk.decode()
    assert gateway.gateway.stats()["throttled"] >= 1  # botocore retries a 429 once


def test_unsigned_calls_are_forbidden(gateway):
    response = requests.post(f"{gateway.management_url}/@connections/abc", data=b"x", timeout=5)
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "ForbiddenException"


def test_stats_count_invocations_by_route(gateway, handlers):
    with open_socket(gateway) as socket:
        socket.send("one")
        socket.send("two")
        handlers.next("$default")
        handlers.next("$default")
    handlers.next("$disconnect")
    stats = requests.get(f"{gateway.management_url}/stats", timeout=5).json()
    assert stats["invocations"] == {"$connect": 1, "$default": 2, "$disconnect": 1}
    assert stats["messages_in"] == 2
    assert stats["open"] == 0
