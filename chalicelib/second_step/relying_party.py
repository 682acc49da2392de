"""Us as a WebAuthn relying party: py_webauthn's options and checks, in our words.

The relying party id is SITE_ORIGIN's host, and SITE_ORIGIN itself is the one origin
whose answers count: the browser signs the origin it is on into every answer, so a
passkey answering a look-alike site is refused here (that is what makes passkeys proof
against phishing). User verification (the device's PIN, fingerprint or face) is required
every time, so a passkey is both factors at once. ``webauthn``, and ``cryptography`` and
``cbor2`` under it, are imported on first use: a cold start that sees no passkey never
pays for them.
"""

import logging
import urllib.parse
from dataclasses import dataclass

from chalicelib.config import settings
from chalicelib.errors import InvalidInput
from chalicelib.second_step.ceremony import CEREMONY_SECONDS, b64url, unb64url

log = logging.getLogger(__name__)


class NotVerified(Exception):
    """An answer shaped like a passkey's that does not check out."""


@dataclass(frozen=True)
class NewPasskey:
    """A verified registration: what is kept of the new passkey."""

    credential_id: str  # base64url
    public_key: str  # the COSE key, base64url
    sign_count: int
    transports: list


@dataclass(frozen=True)
class Assertion:
    """A login answer, parsed but not yet verified."""

    credential_id: str  # base64url, as the browser sent it
    user_handle: str | None  # base64url, when the authenticator gave one
    parsed: object  # py_webauthn's AuthenticationCredential


def rp_id():
    return urllib.parse.urlsplit(settings().site_origin).hostname


def _origin():
    return settings().site_origin


def registration_options(challenge, *, user_handle, user_name, display_name, exclude):
    """Options for ``navigator.credentials.create`` (JSON): a discoverable credential,
    user verification required, none of the ``exclude`` credential ids made again."""
    from webauthn import generate_registration_options
    from webauthn.helpers import options_to_json_dict
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=settings().app_name,
        user_id=user_handle,
        user_name=user_name,
        user_display_name=display_name,
        challenge=challenge,
        timeout=CEREMONY_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=unb64url(c)) for c in exclude],
    )
    return options_to_json_dict(options)


def authentication_options(challenge, allow=()):
    """Options for ``navigator.credentials.get`` (JSON). With no ``allow`` (pairs of
    credential id and transports) the browser offers any passkey it has for us."""
    from webauthn import generate_authentication_options
    from webauthn.helpers import options_to_json_dict
    from webauthn.helpers.structs import (
        AuthenticatorTransport,
        PublicKeyCredentialDescriptor,
        UserVerificationRequirement,
    )

    known = {transport.value for transport in AuthenticatorTransport}
    options = generate_authentication_options(
        rp_id=rp_id(),
        challenge=challenge,
        timeout=CEREMONY_SECONDS * 1000,
        allow_credentials=[
            PublicKeyCredentialDescriptor(
                id=unb64url(credential_id),
                transports=[AuthenticatorTransport(t) for t in transports or () if t in known]
                or None,
            )
            for credential_id, transports in allow
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json_dict(options)


def _malformed():
    return InvalidInput(fields={"credential": "is not a passkey's answer"})


def verify_registration(credential, challenge):
    """The new passkey, if ``credential`` answers ``challenge`` here, user verified."""
    from webauthn import verify_registration_response
    from webauthn.helpers import parse_registration_credential_json

    parsed = _parse(parse_registration_credential_json, credential)
    verified = _checked(
        verify_registration_response,
        credential=parsed,
        expected_challenge=challenge,
        expected_rp_id=rp_id(),
        expected_origin=_origin(),
        require_user_verification=True,
    )
    return NewPasskey(
        credential_id=b64url(verified.credential_id),
        public_key=b64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        transports=[transport.value for transport in parsed.response.transports or ()],
    )


def read_assertion(credential):
    """Parse a login answer (InvalidInput naming ``credential`` if it is not one)."""
    from webauthn.helpers import parse_authentication_credential_json

    parsed = _parse(parse_authentication_credential_json, credential)
    handle = parsed.response.user_handle
    return Assertion(
        credential_id=b64url(parsed.raw_id),
        user_handle=b64url(handle) if handle else None,
        parsed=parsed,
    )


def verify_assertion(assertion, challenge, *, public_key, sign_count):
    """The authenticator's new counter, if the answer is signed right for ``challenge``
    here, user verified, by the key ``public_key``, with a counter past ``sign_count``
    (or both zero: an authenticator that keeps none)."""
    from webauthn import verify_authentication_response

    verified = _checked(
        verify_authentication_response,
        credential=assertion.parsed,
        expected_challenge=challenge,
        expected_rp_id=rp_id(),
        expected_origin=_origin(),
        credential_public_key=unb64url(public_key),
        credential_current_sign_count=sign_count,
        require_user_verification=True,
    )
    return verified.new_sign_count


def _parse(parse, credential):
    """py_webauthn's parser; ids are also checked to be the same bytes, as the checks
    that follow assume."""
    if not isinstance(credential, dict):
        raise _malformed()
    try:
        parsed = parse(credential)
    except Exception:  # noqa: BLE001 - base64, JSON and type errors alike: not a credential
        raise _malformed() from None
    if b64url(parsed.raw_id) != credential.get("id") or not parsed.raw_id:
        raise _malformed()
    return parsed


def _checked(verify, **arguments):
    """Run one of py_webauthn's checks; NotVerified for any way it refuses.

    The checks parse attacker-chosen bytes with several parsers (CBOR, COSE, ASN.1, X.509)
    whose errors share no base class; they do no I/O, so whatever they raise is the
    answer's fault.
    """
    try:
        return verify(**arguments)
    except Exception as exc:  # noqa: BLE001 - see the docstring
        log.info("passkey answer refused: %s: %.200r", type(exc).__name__, str(exc))
        raise NotVerified() from None
