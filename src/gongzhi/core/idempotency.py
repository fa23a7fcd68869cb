"""Idempotency keys: a client's retry carries the key of its first try and
gets the first result back, so a flaky network never pays or raises twice.

A row made under a key stores the key (unique) and a fingerprint of what
was asked; the fingerprint tells a retry from a different request that
reused the key.
"""

from django.utils.translation import gettext_lazy as _

from .errors import DomainError, ValidationFailed

# The longest key a client may send: what the points ledger's transfers and
# orders store (their ``idempotency_key`` columns hold 100 characters).
KEY_MAX = 100


class IdempotencyConflict(DomainError):
    default_message = _(
        "This idempotency key was already used for a different request."
    )
    status_code = 409


def idempotency_key_clean(key) -> str:
    """A client's idempotency key, stripped; refused when missing or too
    long for the column (transfers and orders share the length)."""
    key = (key or "").strip()
    if not key:
        raise ValidationFailed(
            _("An idempotency key is required."), field="idempotency_key"
        )
    if len(key) > KEY_MAX:
        raise ValidationFailed(
            _("The idempotency key is longer than %(max)d characters.")
            % {"max": KEY_MAX},
            field="idempotency_key",
        )
    return key


def replay(queryset, *, key: str, fingerprint: str):
    """The row already made under ``key`` in ``queryset`` (a transfer, an
    order, a request): a retry gets it back with ``replayed`` set, a
    different request under the same key is refused."""
    # The key is unique, so a slice finds the one row; first() would add an
    # ORDER BY that costs Django more to build than the database to run.
    first = next(iter(queryset.filter(idempotency_key=key)[:1]), None)
    if first is None:
        return None
    if first.fingerprint != fingerprint:
        raise IdempotencyConflict(field="idempotency_key")
    first.replayed = True
    return first
