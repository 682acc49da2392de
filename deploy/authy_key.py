"""The Authy API key as an SSM SecureString: the Lambda gets the parameter's name, never the key."""

from deploy.errors import DeployError

SECURE_STRING = "SecureString"


def ensure_api_key(ssm, name, key):
    """Store ``key`` (when given) under ``name``; either way the parameter must then exist.

    Return True when the stored value changed. The key is written only when it differs, so
    a redeploy adds no parameter version.
    """
    current = _stored(ssm, name)
    if key:
        if current == (SECURE_STRING, key):
            return False
        ssm.put_parameter(
            Name=name,
            Value=key,
            Type=SECURE_STRING,  # encrypted with the account's AWS managed key, aws/ssm
            Overwrite=True,
            Description="Authy API key for the two-factor login (read by its Lambda)",
        )
        return True
    if current is None:
        raise DeployError(
            f"no Authy API key in SSM at {name}: run the first deploy of this stage with "
            "AUTHY_API_KEY in the environment"
        )
    return False


def delete_api_key(ssm, name):
    """Delete the parameter; True when there was one."""
    try:
        ssm.delete_parameter(Name=name)
    except ssm.exceptions.ParameterNotFound:
        return False
    return True


def _stored(ssm, name):
    """``(type, decrypted value)`` of the parameter, or None when there is none."""
    try:
        parameter = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    except ssm.exceptions.ParameterNotFound:
        return None
    return parameter["Type"], parameter["Value"]
