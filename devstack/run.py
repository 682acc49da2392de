"""``make run``: the whole stack on this machine until Ctrl-C.

Ports come from SITE_PORT (8080), API_PORT (8000), EMULATOR_PORT (8025),
DYNAMODB_PORT (8044), WS_PORT (8001) and WS_CONNECTIONS_PORT (8002); the vendor from
FACTOR_PROVIDER (``authy``, the default, or ``verify``); logs go to .devstack/logs/.
"""

import os
import signal
import sys
import time

from devstack.stack import PROVIDERS, ROOT, Stack, StackError

DEFAULT_PORTS = {"SITE_PORT": 8080, "API_PORT": 8000, "EMULATOR_PORT": 8025, "DYNAMODB_PORT": 8044}
# The WebSocket gateway's: the sockets, and the @connections API the handlers post to.
GATEWAY_PORTS = {"WS_PORT": 8001, "WS_CONNECTIONS_PORT": 8002}
LOG_DIR = ROOT / ".devstack" / "logs"


def ports_from_env(env, defaults=DEFAULT_PORTS):
    """The ports, from the environment or the defaults; StackError for a bad value."""
    ports = {}
    for name, default in defaults.items():
        raw = env.get(name, "").strip() or str(default)
        if not raw.isdigit() or not 1 <= int(raw) <= 65535:
            raise StackError(f"{name} must be a port number (1-65535), got {raw!r}")
        ports[name] = int(raw)
    return ports


def provider_from_env(env):
    """FACTOR_PROVIDER, or ``authy``; StackError for a vendor the stack does not know."""
    provider = env.get("FACTOR_PROVIDER", "").strip().lower() or "authy"
    if provider not in PROVIDERS:
        raise StackError(f"FACTOR_PROVIDER must be one of {', '.join(PROVIDERS)}, got {provider!r}")
    return provider


def provider_line(stack):
    if stack.provider == "verify":
        service = stack.verify_service_sid
        return f"  provider       verify (the emulator's Twilio Verify v2, service {service})"
    return "  provider       authy (the emulator's Authy API)"


def banner(stack):
    return "\n".join(
        [
            "",
            "The local stack is up:",
            provider_line(stack),
            f"  site           {stack.site_url}/",
            f"  virtual phone  {stack.phone_url}",
            f"  API            {stack.site_api_url}  (chalice local {stack.api_url})",
            f"  WebSocket      {stack.ws_url}  (@connections {stack.ws_management_url})",
            f"  DynamoDB, SES  {stack.dynamodb_url}  (moto; the mail is on the phone page)",
            f"  logs           {stack.log_dir}",
            "",
            "Sign up on the site; approve or deny on the phone page, and open the links in",
            "its mailbox. Ctrl-C stops everything.",
        ]
    )


def main():
    # Ctrl-C even when started from a shell that ignores SIGINT (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started = time.monotonic()
    try:
        ports = ports_from_env(os.environ, {**DEFAULT_PORTS, **GATEWAY_PORTS})
        provider = provider_from_env(os.environ)
        print(
            f"Starting DynamoDB, the emulator, the API ({provider}), the WebSocket gateway "
            "and the site...",
            flush=True,
        )
        with Stack(
            site_port=ports["SITE_PORT"],
            api_port=ports["API_PORT"],
            emulator_port=ports["EMULATOR_PORT"],
            dynamodb_port=ports["DYNAMODB_PORT"],
            ws_port=ports["WS_PORT"],
            ws_connections_port=ports["WS_CONNECTIONS_PORT"],
            log_dir=LOG_DIR,
            provider=provider,
        ) as stack:
            print(banner(stack), flush=True)
            print(f"(started in {time.monotonic() - started:.1f} s)", flush=True)
            return watch(stack)
    except StackError as exc:
        print(f"devstack: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
        return 0


def watch(stack):
    """Run until Ctrl-C; if a part dies, say which and stop the rest."""
    while True:
        failed = stack.failed_child()
        if failed is not None:
            print(
                f"devstack: {failed.name} stopped (exit code {failed.process.returncode}); "
                f"see {failed.log_path}",
                file=sys.stderr,
            )
            return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
