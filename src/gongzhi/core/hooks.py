"""How a domain app says what changed without knowing who listens.

A domain app ``announce``s an event by name with keyword arguments;
``insights`` and ``notices`` ``subscribe`` to the events they need (in
their ``AppConfig.ready``), so no domain app imports or calls them.

Handlers run at once, in the order they subscribed, in the caller's
thread and inside the caller's transaction: what a handler writes commits
or rolls back with the change it was told about, and an exception in a
handler propagates to the announcer (its transaction then rolls back). A
handler that must wait for the commit asks ``transaction.on_commit``
itself. An event nobody subscribed to is announced to nobody.

Event names read ``<app>.<what happened>``; the announcing app documents
each event and its keyword arguments beside its name.
"""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[..., object]

_handlers: dict[str, list[Handler]] = {}


def subscribe(event: str, handler: Handler) -> None:
    """Call ``handler(**payload)`` on every ``announce(event, **payload)``.
    Subscribing the same handler twice keeps one subscription."""
    handlers = _handlers.setdefault(event, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(event: str, handler: Handler) -> None:
    """Stop calling ``handler`` on ``event`` (no error if it was not)."""
    handlers = _handlers.get(event, [])
    if handler in handlers:
        handlers.remove(handler)


def announce(event: str, **payload) -> None:
    """Tell every subscriber of ``event``, one after the other."""
    for handler in list(_handlers.get(event, ())):
        handler(**payload)


def subscribers(event: str) -> tuple[Handler, ...]:
    """Who is told of ``event``, in order (for checks and tests)."""
    return tuple(_handlers.get(event, ()))
