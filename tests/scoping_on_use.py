"""Place names made only by the rows that use them.

The matrix fills every place name for every place of every row. Most are
cheap and harmless; a login's own things are not: the demo resident's
order, sign-up or registration, made for every row, would change what her
other rows answer (she could not sign up or register again). A place name
wrapped in ``on_use`` is made only when a row's URL is filled with it
(``str.format`` asks for it), and rolled back with the test as the others
are. Use it in URLs only: a body's whole placeholder keeps the object.
"""

from __future__ import annotations

from collections.abc import Callable


class _Deferred:
    def __init__(self, make: Callable, area) -> None:
        self.make, self.area = make, area

    def __format__(self, spec: str) -> str:
        return format(self.make(self.area), spec)


def on_use(make: Callable) -> Callable:
    """``make(area)``, deferred until a URL is filled with it."""

    def deferred(area) -> _Deferred:
        return _Deferred(make, area)

    return deferred
