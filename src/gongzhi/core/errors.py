"""Domain refusals: a translated message and the field it concerns."""

from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal by a service. Nothing has been written when it is raised."""

    default_message = _("The request was refused.")
    status_code = 400

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        return {"detail": str(self.message), "field": self.field}


class ValidationFailed(DomainError):
    default_message = _("The input is not valid.")


class NotAllowed(DomainError):
    """The user holds no role that allows this action here."""

    default_message = _("You are not allowed to do this.")
    status_code = 403


class TransitionNotAllowed(DomainError):
    default_message = _("This action is not allowed in the current state.")
    status_code = 409


class TooManyTries(DomainError):
    """Tried too often in a short time: asked to wait, nothing looked up."""

    default_message = _("Too many tries. Please wait a while and try again.")
    status_code = 429


@contextmanager
def fields_renamed(**mapping: str):
    """Report a service's field under the name the caller used: the API
    says ``parent_id`` where the service says ``parent``."""
    try:
        yield
    except DomainError as exc:
        exc.field = mapping.get(exc.field, exc.field)
        raise
