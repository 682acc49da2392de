"""The one exception a deploy step raises for a problem a person must fix."""


class DeployError(Exception):
    """Something the deploy cannot do or undo by itself; the message says what to do."""
