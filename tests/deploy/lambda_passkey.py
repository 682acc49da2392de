"""Run by a clean virtualenv's python: the app's code with only SITE's packages beside it.

``python -I lambda_passkey.py CODE SITE HELPERS`` imports the app (noting whether that
already imported the passkey library), then makes a passkey and logs in with it through
chalicelib's relying party, answered by the software authenticator in HELPERS: cbor2's
and cryptography's compiled parts all run. Prints what happened as JSON.
"""

import json
import os
import sys

code, site, helpers = sys.argv[1:4]
sys.path[:0] = [code, site]

import app  # noqa: E402, F401 - the Lambda's own import, first

at_cold_start = sorted(name for name in ("webauthn", "cbor2") if name in sys.modules)

from chalicelib.second_step import relying_party  # noqa: E402

sys.path.append(helpers)
from soft_authenticator import SoftAuthenticator  # noqa: E402

device = SoftAuthenticator(os.environ["SITE_ORIGIN"])
challenge = os.urandom(32)
options = relying_party.registration_options(
    challenge,
    user_handle=os.urandom(16),
    user_name="ada@example.com",
    display_name="Ada",
    exclude=[],
)
made = relying_party.verify_registration(device.create(options), challenge)
challenge = os.urandom(32)
options = relying_party.authentication_options(challenge, [(made.credential_id, made.transports)])
assertion = relying_party.read_assertion(device.get(options))
count = relying_party.verify_assertion(
    assertion, challenge, public_key=made.public_key, sign_count=made.sign_count
)
modules = ("app", "chalicelib", "webauthn", "cbor2", "cbor2._cbor2", "cryptography", "OpenSSL")
print(
    json.dumps(
        {
            "at_cold_start": at_cold_start,
            "sign_count": count,
            "files": {name: getattr(sys.modules.get(name), "__file__", None) for name in modules},
        }
    )
)
