"""The access_token both WeChat APIs want, fetched once and refreshed when
it is about to lapse or the API says it is invalid (40001, 40014, 42001)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .base import Adapter, Outcome, Throttle, Unreachable, http_json

# The answer codes that mean "fetch a new token and send again".
STALE_TOKEN = {40001, 40014, 42001}


class TokenError(Exception):
    def __init__(self, code: int, message: str):
        self.code = code
        super().__init__(f"{code}: {message}")


class AccessToken:
    def __init__(self, url: Callable[[], str]):
        self._url = url
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def get(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._expires:
                return self._token
            _status, answer = http_json(self._url())
            code = answer.get("errcode", 0)
            if code or not answer.get("access_token"):
                raise TokenError(code, answer.get("errmsg", "no access_token"))
            self._token = answer["access_token"]
            # Refresh five minutes before it lapses.
            self._expires = time.monotonic() + int(answer.get("expires_in", 7200)) - 300
            return self._token

    def forget(self) -> None:
        with self._lock:
            self._token = ""


def post_with_token(token: AccessToken, url: str, payload: dict) -> dict:
    """POST ``payload`` to ``url?access_token=…``; a stale token is fetched
    again once and the call repeated."""
    for attempt in (1, 2):
        _status, answer = http_json(
            f"{url}?access_token={token.get()}", payload=payload
        )
        if answer.get("errcode") in STALE_TOKEN and attempt == 1:
            token.forget()
            continue
        return answer
    return answer  # pragma: no cover - the loop always returns


class TokenAdapter(Adapter):
    """An adapter of an API behind an access_token (WeChat, 企业微信):
    the token kept, a throttle, and one POST that reads the answer."""

    label = ""
    per_second = 20

    def __init__(self, config: dict):
        self.config = config
        self.base = config["endpoint"].rstrip("/")
        self.throttle = Throttle(config.get("per_second", self.per_second))
        self.token = AccessToken(self.token_url)

    def token_url(self) -> str:
        raise NotImplementedError

    def post(self, path: str, payload: dict) -> dict | Outcome:
        """The API's answer, or the ``retry`` outcome when no answer came."""
        self.throttle.wait()
        try:
            return post_with_token(self.token, f"{self.base}{path}", payload)
        except TokenError as exc:
            return Outcome.retry(f"{self.label} token: {exc}")
        except Unreachable as exc:
            return Outcome.retry(f"{self.label}: {exc}")
