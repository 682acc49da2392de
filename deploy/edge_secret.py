"""The secret CloudFront adds to each request it sends the API, kept in SSM.

With it the API believes the X-Forwarded-For that CloudFront appends the viewer's address
to (chalicelib/context.py): behind CloudFront, API Gateway's own sourceIp is a CloudFront
server's. The deploy makes it once per stage; the distribution and the Lambda read it.
"""

import secrets

from deploy.parameters import SECURE_STRING


def ensure_edge_secret(ssm, name, log=print):
    """The stage's edge secret, made and stored on the first deploy."""
    try:
        return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        pass
    value = secrets.token_urlsafe(32)
    ssm.put_parameter(
        Name=name,
        Value=value,
        Type=SECURE_STRING,
        Description="CloudFront shows it to the API with each request (two-factor login)",
    )
    log(f"parameter {name}: edge secret made (SecureString)")
    return value
