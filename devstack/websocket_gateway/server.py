"""Serve a Gateway: the WebSocket listener on the event loop, @connections on threads."""

import threading

from websockets.asyncio.server import serve

from devstack.websocket_gateway.management import MAX_PAYLOAD


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
