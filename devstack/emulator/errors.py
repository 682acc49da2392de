"""Authy's error responses: ``{"message", "success": false, "errors": {...}, "error_code"}``."""

from flask import jsonify

INVALID_API_KEY = "60001"


class AuthyError(Exception):
    """An error the Authy API answers with; ``fields`` go into ``errors`` beside the message."""

    def __init__(self, status, code, message, fields=None, extra=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}

    def body(self):
        return {
            "message": self.message,
            **self.extra,
            "success": False,
            "errors": {"message": self.message, **self.fields},
            "error_code": self.code,
        }

    def response(self):
        response = jsonify(self.body())
        response.status_code = self.status
        return response


def invalid_api_key():
    return AuthyError(401, INVALID_API_KEY, "Invalid API key")


def user_not_found():
    return AuthyError(404, "60026", "User not found.")


def request_not_found():
    return AuthyError(404, "60000", "Approval request not found.")


def invalid_parameter(name):
    return AuthyError(400, "60004", f"Invalid parameter: {name}")


def invalid_request(message="Invalid request"):
    return AuthyError(400, "60002", message)


def invalid_token():
    return AuthyError(401, "60020", "Token is invalid", extra={"token": "is invalid"})


def user_not_valid(fields):
    return AuthyError(400, "60027", "User was not valid", fields)


_BY_STATUS = {
    400: ("60002", "Invalid request"),
    401: (INVALID_API_KEY, "Invalid API key"),
    404: ("60000", "Not found"),
    405: ("60000", "Method not allowed"),
    429: ("60003", "Too many requests"),
    500: ("60000", "An internal error has occurred"),
    502: ("60000", "Bad gateway"),
    503: ("60000", "Service unavailable, please try again later"),
    504: ("60000", "Gateway timeout"),
}


def for_status(status):
    """The error Authy answers with for an HTTP status (used by fault injection)."""
    code, message = _BY_STATUS.get(status, ("60000", "An error has occurred"))
    return AuthyError(status, code, message)
