"""Run the emulator: ``python -m devstack.emulator --port 8025 --api-key K``.

Verify's Basic credentials are TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN from the
environment, or the local ones (not secrets) when those are unset.
"""

import argparse
import os
import signal
import sys

from werkzeug.serving import make_server

from devstack.emulator.app import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, create_app
from devstack.processes import HOST, listen


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m devstack.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--callback-url", default=None)
    parser.add_argument("--callback-method", default="POST", choices=["POST", "GET"])
    parser.add_argument(
        "--no-app",
        action="store_true",
        help="new users start without the Authy app (SMS and voice only)",
    )
    parser.add_argument("--app-name", default="Twofold")
    parser.add_argument(
        "--aws-url", default=None, help="the stack's moto server: the mailbox shows its SES mail"
    )
    return parser.parse_args(argv)


def _listen(port):
    """Bind the port ourselves, so a busy one is a one-line error and not werkzeug's text."""
    try:
        return listen(port, "the emulator")
    except OSError as exc:
        sys.exit(f"emulator: {exc}")


def twilio_credentials(env):
    """The account SID and auth token Verify's routes accept."""
    return (
        env.get("TWILIO_ACCOUNT_SID") or LOCAL_ACCOUNT_SID,
        env.get("TWILIO_AUTH_TOKEN") or LOCAL_AUTH_TOKEN,
    )


def main(argv=None):
    args = parse_args(argv)
    app = create_app(
        args.api_key,
        callback_url=args.callback_url,
        callback_method=args.callback_method,
        app_installed_default=not args.no_app,
        app_name=args.app_name,
        twilio_credentials=twilio_credentials(os.environ),
        aws_url=args.aws_url,
    )
    listener = _listen(args.port)
    server = make_server(HOST, args.port, app, threaded=True, fd=listener.fileno())
    listener.close()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Emulator (Authy, Verify v2) on http://{HOST}:{args.port} (phone: /phone)", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
