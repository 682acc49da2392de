"""Run the gateway: ``python -m devstack.websocket_gateway --ws-port 8001 --connections-port 8002``.

It imports ``app`` the way ``chalice local`` does (the stage's environment variables from
``.chalice/config.json`` over this process's), with ``WEBSOCKET_MANAGEMENT_URL`` pointing
at its own @connections port unless the environment says otherwise.
"""

import argparse
import asyncio
import concurrent.futures
import importlib
import logging
import os
import pathlib
import signal
import sys

from devstack.processes import HOST, listen
from devstack.websocket_gateway.gateway import Gateway
from devstack.websocket_gateway.management import make_server
from devstack.websocket_gateway.server import run

ROOT = pathlib.Path(__file__).resolve().parents[2]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m devstack.websocket_gateway", description=__doc__
    )
    parser.add_argument("--ws-port", type=int, default=8001)
    parser.add_argument("--connections-port", type=int, default=8002)
    parser.add_argument("--stage", default="local", help="the chalice stage (config.json)")
    parser.add_argument("--api-id", default="local0ws01", help="requestContext.apiId")
    parser.add_argument("--project-dir", type=pathlib.Path, default=ROOT)
    parser.add_argument("--workers", type=int, default=32, help="handler threads")
    return parser.parse_args(argv)


def load_handlers(project_dir, stage):
    """Import the app as ``chalice local`` does; its WebSocket handlers by route key."""
    from chalice.cli.factory import CLIFactory

    config = CLIFactory(project_dir=str(project_dir)).create_config_obj(chalice_stage_name=stage)
    handlers = {}
    for route, registration in config.chalice_app.websocket_handlers.items():
        module_name, _, attribute = registration.handler_string.rpartition(".")
        handlers[route] = getattr(importlib.import_module(module_name), attribute)
    return handlers, config.api_gateway_stage, config.lambda_memory_size or 128


async def serve_until_signalled(gateway, ws_sock, management):
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)

    def ready():
        ws_port, port = ws_sock.getsockname()[1], management.server_address[1]
        print(f"WebSocket gateway on ws://{HOST}:{ws_port}, @connections on http://{HOST}:{port}")
        sys.stdout.flush()

    await run(gateway, ws_sock, management, stop, ready)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    try:
        ws_sock = listen(args.ws_port, "WebSocket")
        connections_sock = listen(args.connections_port, "@connections")
    except OSError as exc:
        sys.exit(f"websocket gateway: {exc}")
    ws_port, port = ws_sock.getsockname()[1], connections_sock.getsockname()[1]
    os.environ.setdefault("WEBSOCKET_MANAGEMENT_URL", f"http://{HOST}:{port}")
    os.environ.setdefault("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    handlers, stage, memory = load_handlers(args.project_dir, args.stage)
    api = {
        "api_id": args.api_id,
        "stage": stage,
        "domain_name": f"{HOST}:{ws_port}",
        "port": str(ws_port),
        "scheme": "http",
    }
    loop = asyncio.new_event_loop()
    executor = concurrent.futures.ThreadPoolExecutor(args.workers, thread_name_prefix="lambda")
    gateway = Gateway(handlers, api, executor, loop, memory_size=memory)
    management = make_server(gateway, connections_sock)
    try:
        loop.run_until_complete(serve_until_signalled(gateway, ws_sock, management))
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        loop.close()


if __name__ == "__main__":
    main()
