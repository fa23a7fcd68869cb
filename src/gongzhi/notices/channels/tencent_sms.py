"""Tencent Cloud SMS: ``SendSms`` of API 2021-01-11, signed TC3-HMAC-SHA256.

The request is a JSON POST to ``sms.tencentcloudapi.com`` with the action,
version, region and timestamp in ``X-TC-*`` headers and an
``Authorization`` header signing the canonical request (method, path,
query, the signed headers ``content-type;host;x-tc-action`` and the hash
of the payload) with a key derived from the secret, the date and the
service. The message goes as the first parameter of an approved template
("您有一条新消息：{1}，详情请登录查看。"), the delivery's key as
``SessionContext`` (echoed back, so a send can be matched to its row).

Answers: ``Response.Error`` for a refused call (``RequestLimitExceeded*``:
throttled; ``InternalError*``: try again; the rest, as ``AuthFailure*``,
fail), else one ``SendStatusSet`` entry per number whose ``Code`` is
``Ok`` or says why not: ``LimitExceeded.PhoneNumberThirtySecondLimit``,
``…OneHourLimit``, ``…DailyLimit``, ``…SameContentDailyLimit`` and
``LimitExceeded.DeliveryFrequencyLimit`` are the number's frequency
limits (throttled: 30 s, an hour, until tomorrow), others fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from urllib.parse import urlsplit

from .base import Adapter, Outcome, Throttle, Unreachable, http_json

SERVICE = "sms"
ACTION = "SendSms"
VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
PARAM_MAX = 20

# A number's frequency limits, and how long to wait before trying again.
NUMBER_LIMITS = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": 30,
    "LimitExceeded.PhoneNumberOneHourLimit": 3600,
    "LimitExceeded.PhoneNumberDailyLimit": 86400,
    "LimitExceeded.PhoneNumberSameContentDailyLimit": 86400,
    "LimitExceeded.DeliveryFrequencyLimit": 60,
}


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    payload: bytes,
    timestamp: int,
    action: str = ACTION,
    service: str = SERVICE,
) -> str:
    """The ``Authorization`` header of a TC3-HMAC-SHA256 signed POST."""
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host;x-tc-action"
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            "content-type:application/json; charset=utf-8\n"
            f"host:{host}\n"
            f"x-tc-action:{action.lower()}\n",
            signed_headers,
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            ALGORITHM,
            str(timestamp),
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"{ALGORITHM} Credential={secret_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )


class TencentSms(Adapter):
    name = "sms"
    backend = "tencent_sms"

    def __init__(self, config: dict):
        self.config = config
        self.throttle = Throttle(config.get("per_second", 20))

    def send(self, *, address, title, body, url, key) -> Outcome:
        config = self.config
        endpoint = config["endpoint"].rstrip("/")
        host = urlsplit(endpoint).netloc
        number = address if address.startswith("+") else f"+86{address}"
        payload = json.dumps(
            {
                "PhoneNumberSet": [number],
                "SmsSdkAppId": config["sdk_app_id"],
                "SignName": config["sign_name"],
                "TemplateId": config["template_id"],
                "TemplateParamSet": [title[:PARAM_MAX]],
                "SessionContext": key[:500],
            },
            ensure_ascii=False,
        ).encode()
        timestamp = int(time.time())
        headers = {
            "Host": host,
            "X-TC-Action": ACTION,
            "X-TC-Version": VERSION,
            "X-TC-Region": config["region"],
            "X-TC-Timestamp": str(timestamp),
            "Authorization": tc3_authorization(
                secret_id=config["secret_id"],
                secret_key=config["secret_key"],
                host=host,
                payload=payload,
                timestamp=timestamp,
            ),
        }
        self.throttle.wait()
        try:
            _status, answer = http_json(endpoint + "/", data=payload, headers=headers)
        except Unreachable as exc:
            return Outcome.retry(f"SMS: {exc}")
        response = answer.get("Response", {})
        error = response.get("Error")
        if error:
            code = error.get("Code", "")
            text = f"{code}: {error.get('Message', '')}"
            if code.startswith("RequestLimitExceeded"):
                return Outcome.throttled(text, retry_after=1)
            if code.startswith(
                ("InternalError", "FailedOperation.InsufficientBalance")
            ):
                return Outcome.retry(text)
            return Outcome.failed(text)
        statuses = response.get("SendStatusSet") or []
        if not statuses:
            return Outcome.retry("SMS: no SendStatusSet in the answer")
        status = statuses[0]
        code = status.get("Code", "")
        if code == "Ok":
            return Outcome.sent(status.get("SerialNo", ""))
        text = f"{code}: {status.get('Message', '')}"
        if code in NUMBER_LIMITS:
            return Outcome.throttled(text, retry_after=NUMBER_LIMITS[code])
        if code.startswith("LimitExceeded"):
            return Outcome.throttled(text, retry_after=60)
        if code.startswith("InternalError"):
            return Outcome.retry(text)
        return Outcome.failed(text)
