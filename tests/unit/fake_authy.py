"""A fake Authy at the HTTP level (answers `responses` callbacks), for unit tests.

It answers like the real API in docs/authy-api.md; tests read ``calls`` to see what the
app sent, and set ``has_app``, ``fail`` or ``approval_status`` to steer it.
"""

import contextlib
import json
import re
import threading
import uuid as uuidlib
from urllib.parse import parse_qs, urlparse

RIGHT_CODE = "1234567"


class FakeAuthy:
    def __init__(self, base_url, api_key):
        self.base_url = base_url
        self.api_key = api_key
        self.users = {}  # (email, cellphone, country_code) -> authy_id
        self.has_app = True
        self.fail = {}  # endpoint name -> HTTP status to answer with
        self.reject_user = False
        self.approvals = {}  # uuid -> {"authy_id": ..., "status": ..., "body": ...}
        self.calls = []  # (endpoint name, parsed request)
        self.removed = []  # authy ids removed from the application
        self.verify_gate = None  # a Barrier: hold verifies until that many are in flight

    def install(self, rsps):
        base = re.escape(self.base_url)
        routes = [
            ("POST", r"/protected/json/users/new$", "users_new", self._users_new),
            ("GET", r"/protected/json/users/(\d+)/status$", "user_status", self._status),
            ("POST", r"/protected/json/users/(\d+)/remove$", "users_remove", self._remove),
            ("GET", r"/protected/json/(sms|call)/(\d+)$", "send", self._send),
            ("GET", r"/protected/json/verify/([^/]+)/(\d+)$", "verify", self._verify),
            (
                "POST",
                r"/onetouch/json/users/(\d+)/approval_requests$",
                "onetouch_create",
                self._onetouch_create,
            ),
            (
                "GET",
                r"/onetouch/json/approval_requests/([^/?]+)$",
                "onetouch_status",
                self._onetouch_status,
            ),
        ]
        for method, path, name, handler in routes:
            pattern = re.compile(base + path.replace("$", r"(\?.*)?$"))
            rsps.add_callback(method, pattern, callback=self._wrap(name, pattern, handler))

    def _wrap(self, name, pattern, handler):
        def callback(request):
            url = urlparse(request.url)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            body = json.loads(request.body) if request.body else None
            match = pattern.match(request.url)
            self.calls.append((name, {"path": url.path, "query": query, "json": body}))
            if request.headers.get("X-Authy-API-Key") != self.api_key:
                return self._error(401, "Invalid API key", "60001")
            if name in self.fail:
                return self._error(self.fail[name], "Service trouble", "60000")
            return handler(match, query, body)

        return callback

    @staticmethod
    def _ok(body):
        return 200, {"Content-Type": "application/json"}, json.dumps({**body, "success": True})

    @staticmethod
    def _error(status, message, code):
        body = {
            "message": message,
            "success": False,
            "errors": {"message": message},
            "error_code": code,
        }
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    def names(self):
        return [name for name, _ in self.calls]

    def sent(self, name):
        return [request for called, request in self.calls if called == name]

    def _users_new(self, match, query, body):
        user = body["user"]
        if self.reject_user:
            status, headers, text = self._error(400, "User was not valid", "60027")
            data = json.loads(text)
            data["errors"]["cellphone"] = "is invalid"
            return status, headers, json.dumps(data)
        key = (user["email"], user["cellphone"], user["country_code"])
        authy_id = self.users.setdefault(key, 1000 + len(self.users))
        return self._ok({"message": "User created successfully.", "user": {"id": authy_id}})

    def _remove(self, match, query, body):
        authy_id = int(match.group(1))
        known = [key for key, value in self.users.items() if value == authy_id]
        if not known:
            return self._error(404, "User not found.", "60026")
        self.removed.append(authy_id)
        return self._ok({"message": "User was added to remove."})

    def _status(self, match, query, body):
        authy_id = int(match.group(1))
        return self._ok(
            {
                "status": {
                    "authy_id": authy_id,
                    "registered": self.has_app,
                    "confirmed": True,
                    "devices": ["iphone"] if self.has_app else [],
                },
                "message": "User status.",
            }
        )

    def _send(self, match, query, body):
        return self._ok({"message": "SMS token was sent", "cellphone": "+1-XXX-XXX-XX23"})

    def _verify(self, match, query, body):
        if self.verify_gate is not None:
            with contextlib.suppress(threading.BrokenBarrierError):
                self.verify_gate.wait(timeout=5)
        if match.group(1) == RIGHT_CODE:
            return (
                200,
                {},
                json.dumps({"message": "Token is valid.", "token": "is valid", "success": "true"}),
            )
        status, headers, text = self._error(401, "Token is invalid", "60020")
        return status, headers, text

    def _onetouch_create(self, match, query, body):
        uuid = str(uuidlib.uuid4())
        self.approvals[uuid] = {
            "authy_id": int(match.group(1)),
            "status": "pending",
            "request": body,
        }
        return self._ok({"approval_request": {"uuid": uuid}})

    def _onetouch_status(self, match, query, body):
        approval = self.approvals.get(match.group(1))
        if approval is None:
            return self._error(404, "Approval request not found", "60002")
        return self._ok(
            {
                "approval_request": {
                    "uuid": match.group(1),
                    "status": approval["status"],
                    "_authy_id": approval["authy_id"],
                }
            }
        )

    def last_uuid(self):
        return list(self.approvals)[-1]
