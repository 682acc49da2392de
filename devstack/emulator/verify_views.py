"""The JSON Verify answers with: snake_case resources with their URLs, as in Twilio's spec.

``base`` is the emulator's own origin, so a link in an answer leads back here.
"""

import datetime


def iso(timestamp):
    if timestamp is None:
        return None
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def service_view(service, account_sid, base):
    url = f"{base}/v2/Services/{service.sid}"
    return {
        "sid": service.sid,
        "account_sid": account_sid,
        "friendly_name": service.friendly_name,
        "code_length": service.code_length,
        **service.flags,
        "push": {"include_date": False, "apn_credential_sid": None, "fcm_credential_sid": None},
        "totp": dict(service.totp),
        "default_template_sid": None,
        "date_created": iso(service.created_at),
        "date_updated": iso(service.updated_at),
        "url": url,
        "links": {
            "verification_checks": f"{url}/VerificationCheck",
            "verifications": f"{url}/Verifications",
            "entities": f"{url}/Entities",
        },
    }


def page_view(key, items, page, page_size, path, base, has_next):
    """One page of a list, with Twilio's ``meta`` (links on this emulator)."""

    def link(number):
        return f"{base}{path}?PageSize={page_size}&Page={number}&PageToken=PT{number}"

    return {
        key: items,
        "meta": {
            "page": page,
            "page_size": page_size,
            "first_page_url": f"{base}{path}?PageSize={page_size}&Page=0",
            "previous_page_url": link(page - 1) if page > 0 else None,
            "next_page_url": link(page + 1) if has_next else None,
            "key": key,
            "url": f"{base}{path}?PageSize={page_size}&Page={page}",
        },
    }


def _verification_fields(verification, account_sid, status):
    """What a verification and a check of it both say (Twilio's field names)."""
    return {
        "sid": verification.sid,
        "service_sid": verification.service_sid,
        "account_sid": account_sid,
        "to": verification.to,
        "channel": verification.channel,
        "status": status,
        "valid": status == "approved",
        "amount": None,
        "payee": None,
        "date_created": iso(verification.created_at),
        "date_updated": iso(verification.updated_at),
    }


def verification_view(verification, account_sid, status, base):
    return {
        **_verification_fields(verification, account_sid, status),
        "lookup": {},
        "send_code_attempts": [
            {"time": iso(a["time"]), "channel": a["channel"], "attempt_sid": a["sid"]}
            for a in verification.send_attempts
        ],
        "sna": None,
        "url": f"{base}/v2/Services/{verification.service_sid}/Verifications/{verification.sid}",
    }


def check_view(verification, account_sid, status):
    return {
        **_verification_fields(verification, account_sid, status),
        "sna_attempts_error_codes": [],
    }


def entity_url(base, service_sid, identity):
    return f"{base}/v2/Services/{service_sid}/Entities/{identity}"


def entity_view(entity, account_sid, base):
    url = entity_url(base, entity.service_sid, entity.identity)
    return {
        "sid": entity.sid,
        "identity": entity.identity,
        "account_sid": account_sid,
        "service_sid": entity.service_sid,
        "date_created": iso(entity.created_at),
        "date_updated": iso(entity.created_at),
        "url": url,
        "links": {"factors": f"{url}/Factors", "challenges": f"{url}/Challenges"},
    }


def factor_view(factor, account_sid, base, with_binding=False):
    """A factor; its binding (secret and URI) only in the answer that created it."""
    view = {
        "sid": factor.sid,
        "account_sid": account_sid,
        "service_sid": factor.service_sid,
        "entity_sid": factor.entity_sid,
        "identity": factor.identity,
    }
    if with_binding:
        view["binding"] = {"secret": factor.base32_secret, "uri": factor.uri}
        view["options"] = None
    return {
        **view,
        "date_created": iso(factor.created_at),
        "date_updated": iso(factor.updated_at),
        "friendly_name": factor.friendly_name,
        "status": factor.status,
        "factor_type": "totp",
        "config": dict(factor.config),
        "metadata": None,
        "url": f"{entity_url(base, factor.service_sid, factor.identity)}/Factors/{factor.sid}",
    }


def challenge_view(challenge, account_sid, status, base):
    url = (
        f"{entity_url(base, challenge.service_sid, challenge.identity)}/Challenges/{challenge.sid}"
    )
    return {
        "sid": challenge.sid,
        "account_sid": account_sid,
        "service_sid": challenge.service_sid,
        "entity_sid": challenge.entity_sid,
        "identity": challenge.identity,
        "factor_sid": challenge.factor_sid,
        "date_created": iso(challenge.created_at),
        "date_updated": iso(challenge.updated_at),
        "date_responded": iso(challenge.responded_at),
        "expiration_date": iso(challenge.expires_at),
        "status": status,
        "responded_reason": "none",
        "details": challenge.details,
        "hidden_details": challenge.hidden_details,
        "metadata": None,
        "factor_type": "totp",
        "url": url,
        "links": {"notifications": f"{url}/Notifications"},
    }
