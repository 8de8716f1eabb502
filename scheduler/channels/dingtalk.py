"""钉钉自定义机器人 (DingTalk custom robot), markdown messages with optional 加签 signing.

Signing, as DingTalk documents it: timestamp in milliseconds; HMAC-SHA256 with key = the secret
and message = ``timestamp + "\\n" + secret``; base64; URL-encoded exactly once; both go in the
query string. It is computed afresh for every attempt (DingTalk rejects a timestamp more than an
hour off). Success is HTTP 200 with ``errcode == 0``; errors mostly come back as HTTP 200 too.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from scheduler.channels.base import DeliveryError, Outcome, Rendered
from scheduler.channels.http import HttpClient
from scheduler.channels.text import fit_json, with_ref
from scheduler.config.channels import DingtalkChannelConfig

MAX_BODY_BYTES = 20000  # errcode 460101 beyond this
TITLE_CHARS = 64
THROTTLE_PENALTY = dt.timedelta(minutes=10)  # 130101: "send too fast"; the robot is blocked 10 min
THROTTLED = frozenset({130101})
BUSY = frozenset({-1})  # 系统繁忙
CONFIG_CODES = frozenset({310000, 300001, 300002, 300004, 300005, 400013, 410100})


def sign(secret: str, timestamp_ms: str) -> str:
    """The base64 signature (not yet URL-encoded)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()).decode()


def signed_url(url: str, secret: str, timestamp_ms: str) -> str:
    # Appended by hand: passing the encoded value through ``params=`` would encode it twice.
    quoted = urllib.parse.quote(sign(secret, timestamp_ms), safe="")
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={quoted}"


class DingtalkChannel:
    def __init__(self, name: str, spec: DingtalkChannelConfig, wall: Callable[[], float] = time.time,
                 *, refuse_private: bool = False) -> None:
        self.name = name
        self.spec = spec
        self.http = HttpClient(spec, wall, refuse_private=refuse_private)
        self.wall = wall

    def payload(self, message: Rendered, text: str) -> dict[str, Any]:
        mobiles = [m.mobile for m in message.mentions if m.mobile]
        body = with_ref(text, message.ref)
        # DingTalk highlights an @ only when "@mobile" also appears in the text itself.
        missing = [f"@{mobile}" for mobile in mobiles if f"@{mobile}" not in body]
        if missing:
            body = f"{body}\n\n{' '.join(missing)}"
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.subject[:TITLE_CHARS], "text": body},
            "at": {"atMobiles": mobiles, "isAtAll": False},
        }

    def send(self, message: Rendered) -> str:
        body = fit_json(lambda text: self.payload(message, text), message.markdown, MAX_BODY_BYTES)
        url: str = self.spec.url
        if self.spec.secret:
            url = signed_url(url, self.spec.secret, str(int(self.wall() * 1000)))
        response = self.http.post(url, body)
        answer = self.http.bot_answer(response)
        code, errmsg = answer.get("errcode"), str(answer.get("errmsg", ""))
        if code == 0:
            return "errcode 0"
        raise classify(code, errmsg)

    def end_batch(self) -> None:
        pass

    def close(self) -> None:
        self.http.close()


def classify(code: object, errmsg: str) -> DeliveryError:
    reason = f"errcode {code}: {errmsg}"
    if code in THROTTLED:
        return DeliveryError(Outcome.THROTTLED, reason, THROTTLE_PENALTY)
    if code in BUSY:
        return DeliveryError(Outcome.TRANSIENT, reason)
    if code in CONFIG_CODES:
        if "sign" in errmsg or "timestamp" in errmsg:
            reason += " (check the secret, and that this machine's clock is right)"
        return DeliveryError(Outcome.CONFIG, reason)
    return DeliveryError(Outcome.PERMANENT, reason)
