"""Child processes of the local stack: each in its own process group, logged to a file."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

import requests

HOST = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


class StackError(RuntimeError):
    """The stack could not start; the message says what to do."""


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def listen(port, what):
    """A listening socket on loopback (port 0: a free one); OSError says why not, in a line."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {HOST}:{port} ({what}): {exc.strerror}") from None
    return sock


def check_port_free(port, what):
    """StackError in one line when something already listens on ``port``."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            raise StackError(
                f"port {port} ({what}) is already in use on {HOST}: stop what holds it "
                "or choose another port"
            ) from None


def _die_with_parent():
    """Linux: the child gets SIGTERM if the stack's process dies without cleaning up."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Child:
    """One process of the stack, started in a new session (its own process group)."""

    def __init__(self, name, command, env, cwd, log_path):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - fixed commands built by the stack
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    def alive(self):
        return self.process.poll() is None

    def log_tail(self, lines=15):
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.rstrip().splitlines()[-lines:]) or "(empty log)"

    def died(self):
        return StackError(
            f"{self.name} exited with code {self.process.returncode} while starting; "
            f"the end of {self.log_path}:\n{self.log_tail()}"
        )

    def wait_until_answering(self, url, deadline):
        """Poll ``url`` until any HTTP answer comes back; StackError if the child dies first."""
        while True:
            if not self.alive():
                raise self.died()
            try:
                requests.get(url, timeout=1).close()
                return
            except requests.RequestException:
                pass
            if time.monotonic() >= deadline:
                raise StackError(
                    f"{self.name} did not answer at {url} in time; "
                    f"the end of {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def stop(self, grace=5.0):
        """SIGTERM the whole process group, then SIGKILL what is left after ``grace`` s."""
        try:
            if self.alive():
                _signal_group(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(grace)
                except subprocess.TimeoutExpired:
                    _signal_group(self.process.pid, signal.SIGKILL)
                    self.process.wait(grace)
            # Grandchildren may outlive the leader; the group id is still the leader's pid.
            _signal_group(self.process.pid, signal.SIGKILL)
        finally:
            self._log.close()


def _signal_group(pgid, signum):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
