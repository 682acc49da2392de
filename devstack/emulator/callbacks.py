"""Deliver signed OneTouch callbacks from a background thread, as Authy does.

Authy turns an application's callback off after 3 consecutive failed deliveries (an HTTP
error status or no answer at all) and blanks its URL; so does this sender.
"""

import queue
import threading
import time
import urllib.parse

import requests

from chalicelib.vendors.authy import signature
from devstack.emulator.callback_payload import json_body, query_pairs

MAX_CONSECUTIVE_FAILURES = 3
METHODS = ("POST", "GET")
TIMEOUT = (2, 5)
IDLE_SECONDS = 1.0


class CallbackSender:
    """The callback settings of one Authy application, and the worker that delivers."""

    def __init__(self, api_key, url, method, lock, clock):
        if method.upper() not in METHODS:
            raise ValueError(f"callback method must be one of {METHODS}")
        self.api_key = api_key
        self.lock = lock
        self.clock = clock
        self._initial = (url or "", method.upper())
        self._queue = queue.Queue()
        self._worker = None
        self.reset()

    def reset(self):
        """Back to the settings given at start; queued deliveries are dropped."""
        with self.lock:
            self.url, self.method = self._initial
            self.enabled = bool(self.url)
            self.consecutive_failures = 0
            self.deliveries = []
            self.queued = 0
            self._generation = getattr(self, "_generation", 0) + 1

    def configure(self, enabled=None, url=None, method=None):
        """Change the settings like the Twilio console does; ValueError when they make no sense."""
        with self.lock:
            new_url = self.url if url is None else url.strip()
            new_method = self.method if method is None else str(method).upper()
            new_enabled = self.enabled if enabled is None else enabled
            if new_method not in METHODS:
                raise ValueError(f"method must be one of {', '.join(METHODS)}")
            if new_url and urllib.parse.urlsplit(new_url).scheme not in ("http", "https"):
                raise ValueError("url must be an http or https URL")
            if new_url and urllib.parse.urlsplit(new_url).query:
                raise ValueError("url must not carry a query string")
            if new_enabled and not new_url:
                raise ValueError("an enabled callback needs a url")
            self.url, self.method, self.enabled = new_url, new_method, new_enabled
            self.consecutive_failures = 0

    def state(self):
        with self.lock:
            return {
                "enabled": self.enabled,
                "url": self.url,
                "method": self.method,
                "consecutive_failures": self.consecutive_failures,
                "queued": self.queued,
                "deliveries": [dict(delivery) for delivery in self.deliveries],
            }

    def notify(self, params):
        """Queue a callback if callbacks are on; decided now, so a caller can rely on it."""
        with self.lock:
            if not self.enabled:
                return False
            self.queued += 1
            self._queue.put((self._generation, params))
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="authy-callbacks")
                self._worker.daemon = True
                self._worker.start()
            return True

    def _run(self):
        """Deliver in order; the worker ends after a second with nothing to do."""
        while True:
            try:
                generation, params = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self.lock:
                    if self._queue.empty():
                        self._worker = None
                        return
                continue
            try:
                self._deliver(generation, params)
            finally:
                with self.lock:
                    if generation == self._generation:
                        self.queued -= 1

    def _deliver(self, generation, params):
        with self.lock:
            if generation != self._generation or not self.enabled:
                return
            url, method = self.url, self.method
        nonce = str(int(self.clock()))
        started = time.monotonic()
        status_code, error = _send(self.api_key, method, url, params, nonce)
        seconds = time.monotonic() - started
        self._record(generation, params, method, url, status_code, error, seconds)

    def _record(self, generation, params, method, url, status_code, error, seconds):
        ok = status_code is not None and 200 <= status_code < 300
        with self.lock:
            if generation != self._generation:
                return
            self.deliveries.append(
                {
                    "uuid": params["uuid"],
                    "status": params["status"],
                    "method": method,
                    "url": url,
                    "status_code": status_code,
                    "error": error,
                    "ok": ok,
                    "at": self.clock(),
                    "seconds": round(seconds, 3),  # how long our callback took to answer
                }
            )
            self.consecutive_failures = 0 if ok else self.consecutive_failures + 1
            if self.consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
                self.enabled = False
                self.url = ""


def _send(api_key, method, url, params, nonce):
    """Send one signed callback; return (status code or None, error text or None)."""
    try:
        if method == "POST":
            body = json_body(params)
            signed = signature.sign(api_key, method, url, signature.parse_json(body), nonce)
            response = requests.post(
                url,
                data=body.encode("utf-8"),
                headers=_headers(signed, nonce, {"Content-Type": "application/json"}),
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        else:
            pairs = query_pairs(params)
            signed = signature.sign(api_key, method, url, pairs, nonce)
            response = requests.get(
                f"{url}?{urllib.parse.urlencode(pairs)}",
                headers=_headers(signed, nonce, {}),
                timeout=TIMEOUT,
                allow_redirects=False,
            )
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"
    with response:
        return response.status_code, None


def _headers(signed, nonce, extra):
    return {
        "X-Authy-Signature": signed,
        "X-Authy-Signature-Nonce": nonce,
        "User-Agent": "AuthyEmulator/1.0",
        **extra,
    }
