"""Local fake providers on 127.0.0.1 that answer as Tencent Cloud SMS,
WeChat subscription messages and 企业微信 do: their paths, signatures,
tokens, error codes and frequency limits, with switches for the faults a
test wants."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PORTS = range(8150, 8160)


class Fake:
    """What every fake keeps: the calls it got, the messages it delivered,
    the request times (to check a rate limit was kept)."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.delivered: list[dict] = []
        self.times: list[float] = []
        self.lock = threading.Lock()
        self.url = ""

    def max_per_second(self) -> int:
        times = sorted(self.times)
        best = 0
        for i, start in enumerate(times):
            best = max(best, sum(1 for t in times[i:] if t - start < 1.0))
        return best

    def handle(self, method: str, path: str, query: dict, headers, body: bytes):
        raise NotImplementedError


def _handler(fake: Fake):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method):
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, answer = fake.handle(method, parts.path, query, self.headers, body)
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._answer("GET")

        def do_POST(self):
            self._answer("POST")

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def serving(fake: Fake):
    server = None
    for port in PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), _handler(fake))
            break
        except OSError:
            continue
    if server is None:
        raise RuntimeError("no free port in 8150–8159")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


# Tencent Cloud SMS


def _tc3_expected(secret_key: str, headers, body: bytes, host: str) -> str:
    """The signature the server computes, written out from the TC3 spec
    (not the adapter's code)."""
    timestamp = int(headers["X-TC-Timestamp"])
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical_headers = (
        f"content-type:{headers['Content-Type']}\n"
        f"host:{host}\n"
        f"x-tc-action:{headers['X-TC-Action'].lower()}\n"
    )
    canonical = (
        f"POST\n/\n\n{canonical_headers}\ncontent-type;host;x-tc-action\n"
        + hashlib.sha256(body).hexdigest()
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n"
        + hashlib.sha256(canonical.encode()).hexdigest()
    )

    def sign(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(("TC3" + secret_key).encode(), date), "sms"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencentSms(Fake):
    """SendSms 2021-01-11: checks the signature; a number gets at most one
    message in 30 s (``LimitExceeded.PhoneNumberThirtySecondLimit``); more
    than ``per_second`` calls a second are ``RequestLimitExceeded``."""

    def __init__(self, *, secret_id="AKIDtest", secret_key="sekrit", per_second=50):
        super().__init__()
        self.secret_id, self.secret_key = secret_id, secret_key
        self.per_second = per_second
        self.last_to: dict[str, float] = {}
        self.serial = 0

    def _error(self, code, message):
        return 200, {
            "Response": {"Error": {"Code": code, "Message": message}, "RequestId": "r"}
        }

    def handle(self, method, path, query, headers, body):
        now = time.monotonic()
        with self.lock:
            self.times.append(now)
            self.calls.append((path, {"headers": dict(headers), "body": body}))
            recent = [t for t in self.times if now - t < 1.0]
        if len(recent) > self.per_second:
            return self._error("RequestLimitExceeded", "request limit exceeded")
        auth = headers.get("Authorization", "")
        host = headers.get("Host", "")
        if (
            headers.get("X-TC-Action") != "SendSms"
            or headers.get("X-TC-Version") != "2021-01-11"
        ):
            return self._error("InvalidAction", "unknown action or version")
        expected = _tc3_expected(self.secret_key, headers, body, host)
        if (
            f"Credential={self.secret_id}/" not in auth
            or f"Signature={expected}" not in auth
        ):
            return self._error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated.",
            )
        payload = json.loads(body)
        statuses = []
        for number in payload["PhoneNumberSet"]:
            with self.lock:
                last = self.last_to.get(number)
                if last is not None and now - last < 30:
                    code = "LimitExceeded.PhoneNumberThirtySecondLimit"
                else:
                    code = "Ok"
                    self.last_to[number] = now
                    self.serial += 1
                    self.delivered.append({"to": number, **payload})
            statuses.append(
                {
                    "SerialNo": f"2433:{self.serial}" if code == "Ok" else "",
                    "PhoneNumber": number,
                    "Fee": 1 if code == "Ok" else 0,
                    "SessionContext": payload.get("SessionContext", ""),
                    "Code": code,
                    "Message": "send success" if code == "Ok" else "30 seconds limit",
                    "IsoCode": "CN",
                }
            )
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": "r"}}


# WeChat and 企业微信


class FakeWeixin(Fake):
    """The access_token and the send of WeChat (``/cgi-bin/token``,
    ``/cgi-bin/message/subscribe/send``) or 企业微信 (``/cgi-bin/gettoken``,
    ``/cgi-bin/message/send``)."""

    token_path = "/cgi-bin/token"
    send_path = "/cgi-bin/message/subscribe/send"

    def __init__(self, *, per_second=100):
        super().__init__()
        self.per_second = per_second
        self.tokens: set[str] = set()
        self.issued = 0
        self.refused: set[str] = set()  # openids that refused the messages
        self.busy = 0  # answer -1 this many times

    def expire_tokens(self):
        with self.lock:
            self.tokens.clear()

    def check_token_request(self, query) -> bool:
        return query.get("grant_type") == "client_credential" and bool(
            query.get("appid")
        )

    def handle(self, method, path, query, headers, body):
        if path == self.token_path:
            if not self.check_token_request(query):
                return 200, {"errcode": 40013, "errmsg": "invalid appid"}
            with self.lock:
                self.issued += 1
                token = f"token-{self.issued}"
                self.tokens.add(token)
            return 200, {"access_token": token, "expires_in": 7200}
        if path != self.send_path:
            return 404, {"errcode": 404, "errmsg": "not found"}
        now = time.monotonic()
        with self.lock:
            self.times.append(now)
            recent = [t for t in self.times if now - t < 1.0]
            payload = json.loads(body)
            self.calls.append((path, payload))
        if query.get("access_token") not in self.tokens:
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        if len(recent) > self.per_second:
            return 200, {"errcode": 45009, "errmsg": "reach max api daily quota limit"}
        if self.busy:
            self.busy -= 1
            return 200, {"errcode": -1, "errmsg": "system error"}
        return self.send(payload)

    def send(self, payload):
        if payload["touser"] in self.refused:
            return 200, {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        if not payload.get("template_id") or "thing1" not in payload.get("data", {}):
            return 200, {"errcode": 47003, "errmsg": "argument invalid! data.thing1"}
        with self.lock:
            self.delivered.append(payload)
            msgid = len(self.delivered)
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": msgid}


class FakeWecom(FakeWeixin):
    """企业微信: with ``enable_duplicate_check`` the same content to the same
    user within the interval is answered ok and not delivered again."""

    token_path = "/cgi-bin/gettoken"
    send_path = "/cgi-bin/message/send"

    def __init__(self, *, users=(), **kwargs):
        super().__init__(**kwargs)
        self.users = set(users)
        self.seen: dict[tuple[str, str], float] = {}

    def check_token_request(self, query) -> bool:
        return bool(query.get("corpid") and query.get("corpsecret"))

    def send(self, payload):
        user = payload["touser"]
        if self.users and user not in self.users:
            return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": user}
        content = payload["text"]["content"]
        now = time.monotonic()
        with self.lock:
            last = self.seen.get((user, content))
            duplicate = (
                payload.get("enable_duplicate_check")
                and last is not None
                and now - last < payload.get("duplicate_check_interval", 1800)
            )
            self.seen[(user, content)] = now
            if not duplicate:
                self.delivered.append(payload)
        return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "m"}
