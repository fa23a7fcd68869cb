"""企业微信 application messages, for staff.

``GET /cgi-bin/gettoken?corpid=…&corpsecret=…`` gives the access_token;
``POST /cgi-bin/message/send?access_token=…`` sends ``{"touser": userid,
"msgtype": "text", "agentid", "text": {"content"}, "enable_duplicate_check":
1, "duplicate_check_interval": 1800}``: the same message to the same user
within half an hour is not delivered twice, so a send repeated after a
worker died mid-call reaches her once. The delivery's key goes into the
text's last line as the message's reference.

errcode: 0 sent (``invaliduser`` names a userid that does not exist: that
one failed); 40014/42001 a stale token; 45009 the API's frequency limit,
45033 too many at once (throttled); -1 busy (try again); 60111 no such
userid, 40056 the agentid, 301002 no right to message her (fail).
"""

from __future__ import annotations

from urllib.parse import urlencode

from .base import Outcome, text_of
from .tokens import TokenAdapter
from .wechat import wechat_outcome

CONTENT_MAX = 600
DUPLICATE_WINDOW = 1800


class WecomApp(TokenAdapter):
    name = "wecom"
    backend = "wecom_app"
    label = "WeCom"
    per_second = 10

    def token_url(self) -> str:
        query = urlencode(
            {"corpid": self.config["corp_id"], "corpsecret": self.config["corp_secret"]}
        )
        return f"{self.base}/cgi-bin/gettoken?{query}"

    def send(self, *, address, title, body, url, key) -> Outcome:
        answer = self.post(
            "/cgi-bin/message/send",
            {
                "touser": address,
                "msgtype": "text",
                "agentid": int(self.config["agent_id"]),
                "text": {"content": text_of(title, body, CONTENT_MAX)},
                "enable_duplicate_check": 1,
                "duplicate_check_interval": DUPLICATE_WINDOW,
            },
        )
        if isinstance(answer, Outcome):
            return answer
        if answer.get("errcode") == 45033:
            return Outcome.throttled("45033: api concurrent out of limit", 5)
        if answer.get("errcode") == 0 and answer.get("invaliduser"):
            return Outcome.failed(f"invaliduser: {answer['invaliduser']}")
        return wechat_outcome(answer)
