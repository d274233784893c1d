"""Domain errors whose message is safe and meant to be shown to the user who caused them."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the program stopped the action; `str(error)` is the user-facing explanation."""


class NamingError(DomainError):
    """A refusal that names people as `<@U…>` mentions, so they read as names. Its text is
    the app's own, shown as written: never put anything a person typed in one."""


class SignupClosedError(DomainError):
    def __init__(self, program_name: str) -> None:
        super().__init__(f"Sign-up for {program_name} is closed right now.")


class NotEnrolledError(DomainError):
    def __init__(self) -> None:
        super().__init__("You haven't joined the program yet. Type `/mentoring join` to sign up.")
