"""``make bench``: complete logins on the local stack, counted and timed (see README.md)."""
