"""The stage's SSM parameters: vendor secrets as SecureStrings (the Lambda gets a
parameter's name, never the secret), and the non-secret ids a later deploy reuses."""

from deploy.errors import DeployError

SECURE_STRING = "SecureString"
STRING = "String"


def ensure_secret(ssm, name, value, what, hint):
    """Store ``value`` (when given) under ``name``; either way the parameter must then exist.

    Return True when the stored value changed. A value is written only when it differs,
    so a redeploy adds no parameter version. ``what`` and ``hint`` make the error a person
    reads when neither a value nor a stored one is there.
    """
    current = stored(ssm, name)
    if value:
        if current == (SECURE_STRING, value):
            return False
        ssm.put_parameter(
            Name=name,
            Value=value,
            Type=SECURE_STRING,  # encrypted with the account's AWS managed key, aws/ssm
            Overwrite=True,
            Description=f"{what} for Twofold (read by its Lambda)",
        )
        return True
    if current is None:
        raise DeployError(f"no {what} in SSM at {name}: {hint}")
    return False


def ensure_value(ssm, name, value):
    """``value`` stored under ``name`` (a plain String) when given; else the stored one, or None."""
    current = stored(ssm, name)
    if value and current != (STRING, value):
        ssm.put_parameter(Name=name, Value=value, Type=STRING, Overwrite=True)
        return value
    return value or (current[1] if current else None)


def delete(ssm, name):
    """Delete the parameter; True when there was one."""
    try:
        ssm.delete_parameter(Name=name)
    except ssm.exceptions.ParameterNotFound:
        return False
    return True


def stored(ssm, name):
    """``(type, decrypted value)`` of the parameter, or None when there is none."""
    try:
        parameter = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    except ssm.exceptions.ParameterNotFound:
        return None
    return parameter["Type"], parameter["Value"]
