"""Small helpers over PynamoDB's exceptions."""

CONDITION_FAILED = "ConditionalCheckFailedException"


def condition_failed(exc):
    """True when a PutError/UpdateError/DeleteError failed only because its condition did."""
    return getattr(exc, "cause_response_code", None) == CONDITION_FAILED
