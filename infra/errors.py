"""Errors a user can cause. Each prints as one line and exits 2."""


class UsageError(Exception):
    """A bad flag, project, stack or config file: the message says what to fix."""
