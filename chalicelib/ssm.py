"""Read the Authy API key from an SSM SecureString parameter (cloud stages)."""


def secure_string(name):
    """Return the decrypted value of the SSM parameter ``name``."""
    import boto3  # imported here so a cold start without SSM never pays for it

    response = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
    return response["Parameter"]["Value"]
