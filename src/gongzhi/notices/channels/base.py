"""What every channel answers, and the pieces the adapters share."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """How one send went.

    ``sent``: the provider took it (``ref`` its id). ``throttled``: the
    provider (or our own limit) says not now; try again after
    ``retry_after`` seconds, it is no failure. ``retry``: a passing fault
    (a timeout, the provider busy); try again later, counted. ``failed``:
    it will never go (no such recipient, she refused the messages)."""

    status: str
    ref: str = ""
    error: str = ""
    retry_after: float = 0.0

    @classmethod
    def sent(cls, ref: str = "") -> Outcome:
        return cls("sent", ref=ref)

    @classmethod
    def throttled(cls, error: str, retry_after: float = 60.0) -> Outcome:
        return cls("throttled", error=error, retry_after=retry_after)

    @classmethod
    def retry(cls, error: str) -> Outcome:
        return cls("retry", error=error)

    @classmethod
    def failed(cls, error: str) -> Outcome:
        return cls("failed", error=error)


class Adapter:
    """One external channel. ``send`` is given the recipient's address on
    the channel (a phone number, an openid, a userid), what to say, and
    the delivery's key (event, recipient, channel), which an adapter hands
    the provider where its API takes one."""

    name = ""
    backend = ""

    def send(
        self, *, address: str, title: str, body: str, url: str, key: str
    ) -> Outcome:
        raise NotImplementedError


class OutboxAdapter(Adapter):
    """The embedded default: nothing leaves the machine; the delivery row
    (shown on the outbox page) is the message."""

    backend = "outbox"

    def __init__(self, name: str):
        self.name = name

    def send(self, *, address, title, body, url, key) -> Outcome:
        return Outcome.sent()


class Throttle:
    """At most ``per_second`` sends in any second from this process (a
    sliding window, with a little room for the network's jitter): the
    providers' documented limits are kept rather than hit."""

    MARGIN = 0.05

    def __init__(self, per_second: float):
        self.per_second = max(int(per_second), 0)
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.per_second:
            return
        with self._lock:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= 1.0 + self.MARGIN:
                self._sent.popleft()
            if len(self._sent) >= self.per_second:
                time.sleep(self._sent[0] + 1.0 + self.MARGIN - now)
                self._sent.popleft()
                now = time.monotonic()
            self._sent.append(now)


class Unreachable(Exception):
    """The provider did not answer (refused, timed out, not JSON)."""


def http_json(
    url: str,
    *,
    payload: dict | None = None,
    headers: dict | None = None,
    timeout: float = 10.0,
    data: bytes | None = None,
) -> tuple[int, dict]:
    """GET (no payload) or POST JSON; the status and the JSON answer."""
    if not url.startswith(("https://", "http://")):
        raise Unreachable(f"not an HTTP address: {url[:40]}")
    if payload is not None and data is None:
        data = json.dumps(payload, ensure_ascii=False).encode()
    # Only http(s), checked above: a provider's endpoint from the settings.
    request = urllib.request.Request(  # noqa: S310
        url, data=data, method="POST" if data else "GET"
    )
    request.add_header("Content-Type", "application/json; charset=utf-8")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise Unreachable(str(exc)) from exc
    try:
        return status, json.loads(raw or b"{}")
    except ValueError as exc:
        raise Unreachable(f"HTTP {status}: not JSON") from exc


def text_of(title: str, body: str, limit: int) -> str:
    text = f"{title}\n{body}".strip() if body else title
    return text[:limit]
