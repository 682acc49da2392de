"""Ship the app to AWS: tables, secrets, the Lambdas and both APIs, the site and its
CloudFront front door.

Run as ``python -m deploy up|destroy|policy --stage dev|prod``. Never imported by
chalicelib and never packaged; it drives chalice and boto3 from a developer's machine.
It may import chalicelib (headers, config rules), never devstack.
"""
