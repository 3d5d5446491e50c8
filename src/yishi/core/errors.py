"""Domain errors carry a message a user can read (in Chinese) and the HTTP status to answer with."""
from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    """The request clashes with the current state (a closed round, a used code)."""

    status_code = 409


class InvalidInput(DomainError):
    """A bad field: `field` names the input so the form can point at it; `errors` holds every bad
    field (name -> message) when a whole form was checked at once."""

    def __init__(self, message: str, field: str = "", errors: dict[str, str] | None = None) -> None:
        super().__init__(message, 400)
        self.field = field
        self.errors = errors or ({field: message} if field else {})
