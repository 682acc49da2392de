"""Read the Authy API key from an SSM SecureString parameter (cloud stages)."""


def secure_string(name):
    """Return the decrypted value of the SSM parameter ``name``."""
    # botocore directly (PynamoDB brings it), imported here so only cloud stages pay.
    import botocore.config
    import botocore.session

    client = botocore.session.get_session().create_client(
        "ssm",
        config=botocore.config.Config(
            connect_timeout=2, read_timeout=3, retries={"max_attempts": 3, "mode": "standard"}
        ),
    )
    response = client.get_parameter(Name=name, WithDecryption=True)
    return response["Parameter"]["Value"]
