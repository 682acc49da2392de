"""Ship the app to AWS: tables, the Authy key, the Lambdas and both APIs, the site.

Run as ``python -m deploy up|destroy|policy --stage dev|prod``. Never imported by
chalicelib and never packaged; it drives chalice and boto3 from a developer's machine.
"""
