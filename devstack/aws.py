"""The local AWS: moto's server, run as ``python -m moto.server`` runs it (DynamoDB, SES and
the rest on one port), plus one read-only route for the local mailbox.

    python -m devstack.aws -H 127.0.0.1 -p 8044

DynamoDB requests are applied one at a time (``atomic_dynamodb``), as atomically as AWS
applies them.

``GET /_devstack/ses/sent`` answers ``{"messages": [{id, source, destinations, raw}]}``:
every raw email SES took, oldest first, read from moto's SES backend in this process.
moto's own ``/moto-api/data.json`` has them too, but it serialises every object of every
service (each DynamoDB item ever written) on each call, which the phone page, polling
every second, would pay for again and again.
"""

import argparse
import contextlib
import json
import os
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

from devstack import mailbox
from devstack.mailbox import SENT_PATH


def with_sent_mail(app):
    """``app`` (moto's WSGI application), answering SENT_PATH itself."""

    def application(environ, start_response):
        if environ.get("PATH_INFO") != SENT_PATH:
            return app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "GET":
            start_response("405 METHOD NOT ALLOWED", [("Allow", "GET")])
            return [b""]
        from moto.ses.models import ses_backends

        body = json.dumps({"messages": mailbox.sent(ses_backends)}).encode("utf-8")
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]

    return application


@contextlib.contextmanager
def atomic_dynamodb():
    """While it lasts, moto applies each DynamoDB request whole before the next begins.

    DynamoDB applies a transaction atomically, and a read is serialisable with it: whoever
    reads one of its items written sees them all. moto's threaded server takes no lock, so
    a read racing a TransactWriteItems could see half of it (a challenge spent, its
    session not yet written), which no deployed stack ever shows.
    """
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.Lock()
    original = DynamoHandler.call_action

    def call_action(self):
        with lock:
            return original(self)

    DynamoHandler.call_action = call_action
    try:
        yield
    finally:
        DynamoHandler.call_action = original


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m devstack.aws", description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto.server does
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with atomic_dynamodb():
        run_simple(
            args.host,
            args.port,
            with_sent_mail(DomainDispatcherApplication(create_backend_app)),
            threaded=True,
            request_handler=MotoRequestHandler,
        )


if __name__ == "__main__":
    main()
