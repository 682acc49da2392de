"""A passkey authenticator in software, for API tests: what a browser hands the page.

ES256 keys from ``cryptography``; authenticator data, the attestation object ("none")
and client data are built as the WebAuthn spec lays them out, so py_webauthn checks them
exactly as it checks a real authenticator's. Every part a test may want wrong (origin,
relying party, user verification, counter, user handle) is a keyword argument.
"""

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40  # authenticator data flags: present, verified, attested data


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


class SoftAuthenticator:
    """Makes passkeys and answers with them, like a platform authenticator would."""

    def __init__(self, origin, counts=True):
        self.origin = origin
        self.counts = counts  # False: an authenticator whose counter stays 0 (synced ones)
        self.credentials = []

    def create(self, options, *, origin=None, rp_id=None, verified=True, credential=None):
        """``navigator.credentials.create`` for ``options``; the credential as JSON.

        ``credential``: attest one made before again (a browser would refuse; a client
        of the API need not).
        """
        rp_id = rp_id or options["rp"]["id"]
        if credential is None:
            credential = Credential(
                credential_id=os.urandom(32),
                key=ec.generate_private_key(ec.SECP256R1()),
                rp_id=rp_id,
                user_handle=unb64url(options["user"]["id"]),
            )
            self.credentials.append(credential)
        numbers = credential.key.public_key().public_numbers()
        cose_key = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32), -3: numbers.y.to_bytes(32)}
        attested = (
            bytes(16)  # AAGUID: none
            + struct.pack(">H", len(credential.credential_id))
            + credential.credential_id
            + cbor2.dumps(cose_key)
        )
        flags = UP | AT | (UV if verified else 0)
        auth_data = _auth_data(rp_id, flags, 0) + attested
        client_data = _client_data("webauthn.create", options["challenge"], origin or self.origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    def get(
        self,
        options,
        *,
        credential=None,
        origin=None,
        rp_id=None,
        verified=True,
        sign_count=None,
        user_handle=True,
    ):
        """``navigator.credentials.get`` for ``options``: an answer by ``credential`` (the
        newest made, else), signed over what the browser would sign."""
        credential = credential or self.credentials[-1]
        if sign_count is None:
            if self.counts:
                credential.sign_count += 1
            sign_count = credential.sign_count
        flags = UP | (UV if verified else 0)
        auth_data = _auth_data(rp_id or credential.rp_id, flags, sign_count)
        client_data = _client_data("webauthn.get", options["challenge"], origin or self.origin)
        signature = credential.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if user_handle:
            handle = credential.user_handle if user_handle is True else user_handle
            response["userHandle"] = b64url(handle)
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": response,
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }


def _auth_data(rp_id, flags, sign_count):
    return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", sign_count)


def _client_data(kind, challenge, origin):
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    ).encode()
