"""WeChat mini-program subscription messages (订阅消息).

``GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` gives
the access_token; ``POST /cgi-bin/message/subscribe/send?access_token=…``
sends ``{"touser": openid, "template_id", "page", "data": {"thing1":
{"value": title}, "thing2": {"value": text}}}``. ``thing`` values take at
most 20 characters.

errcode: 0 sent; 40001/40014/42001 the token is stale (fetched again, sent
again); 45009 the API's frequency limit, 45047 a sending limit (throttled);
-1 system busy (try again); 43101 the user refused the messages or ended
her subscription, 40003 no such openid, 40037 the template, 47003 the
data, 41030 the page (fail: sending again changes nothing).
"""

from __future__ import annotations

from urllib.parse import urlencode

from .base import Outcome
from .tokens import TokenAdapter

THING_MAX = 20
THROTTLED = {45009: 60, 45047: 60}


def wechat_outcome(answer: dict) -> Outcome:
    """The answer of a WeChat or 企业微信 send, read the same way."""
    code = answer.get("errcode", 0)
    text = f"{code}: {answer.get('errmsg', '')}"
    if code == 0:
        return Outcome.sent(str(answer.get("msgid", "")))
    if code in THROTTLED:
        return Outcome.throttled(text, retry_after=THROTTLED[code])
    if code == -1:
        return Outcome.retry(text)
    return Outcome.failed(text)


class WechatSubscribe(TokenAdapter):
    name = "wechat"
    backend = "wechat_subscribe"
    label = "WeChat"

    def token_url(self) -> str:
        query = urlencode(
            {
                "grant_type": "client_credential",
                "appid": self.config["app_id"],
                "secret": self.config["app_secret"],
            }
        )
        return f"{self.base}/cgi-bin/token?{query}"

    def send(self, *, address, title, body, url, key) -> Outcome:
        answer = self.post(
            "/cgi-bin/message/subscribe/send",
            {
                "touser": address,
                "template_id": self.config["template_id"],
                "page": self.config.get("page", ""),
                "miniprogram_state": "formal",
                "lang": "zh_CN",
                "data": {
                    "thing1": {"value": title[:THING_MAX]},
                    "thing2": {"value": (body or title)[:THING_MAX]},
                },
            },
        )
        return answer if isinstance(answer, Outcome) else wechat_outcome(answer)
