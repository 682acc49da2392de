"""Serve a Gateway: the WebSocket listener on the event loop, @connections on threads."""

import socket
import threading

from websockets.asyncio.server import serve

from devstack.websocket_gateway.management import MAX_PAYLOAD

HOST = "127.0.0.1"


def listen(port, what):
    """A listening socket on loopback (port 0: a free one); OSError says why not."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {HOST}:{port} ({what}): {exc.strerror}") from None
    return sock


async def run(gateway, ws_sock, management, stop, ready=None):
    """Serve sockets and @connections until ``stop`` (an asyncio.Event) is set."""
    async with serve(
        gateway.handle,
        process_request=gateway.process_request,
        sock=ws_sock,
        compression=None,  # API Gateway negotiates no extensions
        max_size=MAX_PAYLOAD,
        ping_interval=None,  # API Gateway answers pings but sends none
        server_header=None,
    ):
        thread = threading.Thread(target=management.serve_forever, args=(0.1,), daemon=True)
        thread.start()
        if ready is not None:
            ready()
        try:
            await stop.wait()
        finally:
            management.shutdown()
            thread.join(5)
            management.server_close()
