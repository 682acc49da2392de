"""Twilio's error responses: ``{"code", "message", "more_info", "status"}``."""

from flask import jsonify


class VerifyError(Exception):
    """An error the Verify API answers with."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self):
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }

    def response(self):
        response = jsonify(self.body())
        response.status_code = self.status
        if self.code == AUTHENTICATE:
            response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        return response


AUTHENTICATE = 20003


def authenticate():
    return VerifyError(401, AUTHENTICATE, "Authenticate")


def not_found(path):
    return VerifyError(404, 20404, f"The requested resource {path} was not found")


def invalid_parameter(name):
    return VerifyError(400, 60200, f"Invalid parameter: {name}")


def no_target():
    return VerifyError(400, 60221, "No target verification specified")


def max_check_attempts():
    return VerifyError(429, 60202, "Max check attempts reached")


def max_send_attempts():
    return VerifyError(429, 60203, "Max send attempts reached")


def challenge_attempts():
    return VerifyError(429, 60308, "Challenge verification attempts limit reached")


def factor_attempts():
    return VerifyError(429, 60310, "Factor verification attempts reached")


def factor_unverified():
    return VerifyError(403, 60318, "Factor is unverified")


def challenge_expired():
    return VerifyError(403, 60323, "Challenge expired")


_BY_STATUS = {
    400: (60200, "Invalid parameter"),
    401: (AUTHENTICATE, "Authenticate"),
    403: (20403, "Forbidden"),
    404: (20404, "The requested resource was not found"),
    405: (20004, "Method not allowed"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


def for_status(status):
    """The error Twilio answers with for an HTTP status (fault injection, unknown routes)."""
    code, message = _BY_STATUS.get(status, (20500, "Internal Server Error"))
    return VerifyError(status, code, message)
