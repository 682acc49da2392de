"""The domain's exceptions, each with an HTTP status and a stable code."""


class AppError(Exception):
    """Base of every error a client may see; ``app.py`` turns it into JSON once."""

    status = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(self, message=None, *, fields=None, retry_after=None, extra=None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = fields or {}
        self.retry_after = retry_after
        self.extra = extra or {}

    def body(self):
        error = {"code": self.code, "message": self.message, **self.extra}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class InvalidInput(AppError):
    code = "invalid_input"
    message = "Some fields are missing or not valid."


class MalformedJSON(AppError):
    code = "malformed_json"
    message = "The body must be a JSON object."


class BodyTooLarge(AppError):
    status = 413
    code = "body_too_large"
    message = "The request body is too large."


class InvalidCredentials(AppError):
    status = 401
    code = "invalid_credentials"
    message = "The email or password is not right."


class EmailTaken(AppError):
    status = 409
    code = "email_taken"
    message = "An account with this email already exists."


class ChallengeInvalid(AppError):
    status = 401
    code = "challenge_invalid"
    message = "This login attempt is not valid. Please log in again."


class ChallengeExpired(ChallengeInvalid):
    code = "challenge_expired"
    message = "This login attempt has expired. Please log in again."


class ChallengeUsed(ChallengeInvalid):
    code = "challenge_used"
    message = "This login attempt has already been used. Please log in again."


class ChallengeSuperseded(ChallengeInvalid):
    code = "challenge_superseded"
    message = (
        "A newer login for this account started, so this one was stopped. "
        "If it wasn't you, change your password."
    )


class ChallengeLocked(AppError):
    status = 429
    code = "challenge_locked"
    message = "Too many wrong codes. Please log in again."


class InvalidCode(AppError):
    status = 401
    code = "invalid_code"
    message = "That code is not right."


class CodeExpired(AppError):
    """The vendor no longer knows the code's verification: it expired or was used."""

    status = 401
    code = "code_expired"
    message = "This code has expired. Send a new one."


class ResendTooSoon(AppError):
    status = 429
    code = "resend_too_soon"
    message = "Please wait before asking for another code."


class TooManySends(AppError):
    status = 429
    code = "too_many_sends"
    message = "No more codes can be sent for this login. Please log in again later."


class RateLimited(AppError):
    status = 429
    code = "rate_limited"
    message = "Too many requests. Please wait and try again."


class SendLimitReached(RateLimited):
    """The texts and calls one account, or one phone number, may get are used up for now.

    Ours (per account, per number), or the vendor's (Verify's 60203: five sends to one
    number in ten minutes): the person meets the same limit either way.
    """

    code = "send_limit"
    message = (
        "We can't send more codes to this phone for now. Use the code in your authenticator "
        "app, or try again later."
    )


class TooManyPasswordAttempts(RateLimited):
    """The account's failed-password limit: the right password gets this answer too."""

    code = "too_many_attempts"
    message = "Too many attempts for this account. Please wait and try again."


class AccountLocked(AppError):
    status = 403
    code = "account_locked"
    message = "This account is locked after too many wrong codes. Contact support to unlock it."


class TooManyWatchers(AppError):
    status = 429
    code = "too_many_watchers"
    message = "This login is already being watched from too many places."


class TooManyBrowsers(AppError):
    status = 409
    code = "too_many_browsers"
    message = "This account already remembers ten browsers. Forget one first."


class TooManyPasskeys(AppError):
    status = 409
    code = "too_many_passkeys"
    message = "This account already has ten passkeys. Remove one first."


class PasskeyTaken(AppError):
    status = 409
    code = "passkey_taken"
    message = "This passkey is already added."


class PasskeyRefused(AppError):
    """A passkey's answer that does not check out: unknown, someone else's, or not signed
    right (wrong origin, wrong relying party, no user verification, a counter gone back)."""

    status = 401
    code = "passkey_refused"
    message = "That passkey could not be verified."


class CeremonyInvalid(AppError):
    """A passkey ceremony that is unknown, already answered, or for something else."""

    code = "ceremony_invalid"
    message = "This passkey request is no longer valid. Please try again."


class CeremonyExpired(CeremonyInvalid):
    code = "ceremony_expired"
    message = "This passkey request took too long. Please try again."


class LastFactor(AppError):
    status = 409
    code = "last_factor"
    message = "This is the last way you can prove it's you. Add another one first."


class SecurityChanged(AppError):
    """The account's factors changed between reading and writing them (a parallel change)."""

    status = 409
    code = "security_changed"
    message = "Your security settings changed meanwhile. Please try again."


class StepUpRequired(AppError):
    """A change to the account's security needs a second factor proven in the last minutes."""

    status = 403
    code = "step_up_required"
    message = "Please prove it's you again before changing your account's security."


class LinkInvalid(AppError):
    """A link from one of our emails that does nothing: used, not ours, or its account gone."""

    code = "link_invalid"
    message = "This link doesn't work: it was already used, or it isn't complete."


class LinkExpired(LinkInvalid):
    code = "link_expired"
    message = "This link has expired."


class EmailAlreadyProven(AppError):
    status = 409
    code = "email_already_proven"
    message = "This email address is already confirmed."


class EmailUnavailable(AppError):
    """SES would not send; the log says why."""

    status = 503
    code = "email_unavailable"
    message = "We couldn't send the email. Please try again shortly."


class SessionInvalid(AppError):
    status = 401
    code = "session_invalid"
    message = "Please log in."


class VendorUnavailable(AppError):
    """Authy could not be reached or answered with an error we cannot act on."""

    status = 503
    code = "verification_unavailable"
    message = "The verification service is not answering. Please try again shortly."


class VendorRejected(AppError):
    """Authy refused the request as invalid (e.g. a phone number it will not accept)."""

    code = "verification_rejected"
    message = "The verification service did not accept these details."


class StorageUnavailable(AppError):
    status = 503
    code = "storage_unavailable"
    message = "The service is having trouble. Please try again shortly."


class NotConfigured(AppError):
    """A deployment setting is missing or unsafe; the log names it, the client never does."""

    status = 503
    code = "not_configured"
    message = "The service is not configured. Please try again later."


class CallbackRejected(AppError):
    """A push callback whose signature or age does not check out."""

    status = 401
    code = "invalid_signature"
    message = "The callback signature does not check out."


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = "There is nothing here."


class ConfigurationError(Exception):
    """The deployment is missing or has a wrong setting (never shown to clients)."""
