"""企业微信群机器人 (WeCom group robot).

The ``key`` in the URL is the only credential (no signing). Markdown content may hold 4096 bytes,
text 2048. Markdown cannot @mention by mobile, so with msgtype "auto" a message that mentions
people goes as text with ``mentioned_mobile_list``. Success is ``errcode == 0``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from scheduler.channels.base import DeliveryError, Outcome, Rendered
from scheduler.channels.http import HttpClient
from scheduler.channels.text import fit, json_bytes, size, with_ref
from scheduler.config.channels import WecomChannelConfig

MARKDOWN_BYTES = 4096  # errcode 40058 beyond
TEXT_BYTES = 2048
THROTTLE_PENALTY = dt.timedelta(seconds=60)  # 45009: WeCom blocks the rest of the minute window
THROTTLED = frozenset({45009})
BUSY = frozenset({-1})
CONFIG_CODES = frozenset({93000, 40001, 40014, 42001})  # invalid webhook url / key


class WecomChannel:
    def __init__(self, name: str, spec: WecomChannelConfig, wall: Callable[[], float] = time.time,
                 *, refuse_private: bool = False) -> None:
        self.name = name
        self.spec = spec
        self.http = HttpClient(spec, wall, refuse_private=refuse_private)

    def payload(self, message: Rendered) -> dict[str, Any]:
        mobiles = [m.mobile for m in message.mentions if m.mobile]
        kind = self.spec.msgtype
        if kind == "auto":
            kind = "text" if mobiles else "markdown"
        if kind == "markdown":
            return {"msgtype": "markdown", "markdown": {"content": _content(message.markdown, message.ref, MARKDOWN_BYTES)}}
        return {
            "msgtype": "text",
            "text": {"content": _content(message.text, message.ref, TEXT_BYTES), "mentioned_mobile_list": mobiles},
        }

    def send(self, message: Rendered) -> str:
        response = self.http.post(self.spec.url, json_bytes(self.payload(message)))
        answer = self.http.bot_answer(response)
        code, errmsg = answer.get("errcode"), str(answer.get("errmsg", ""))
        if code == 0:
            return "errcode 0"
        raise classify(code, errmsg)

    def end_batch(self) -> None:
        pass

    def close(self) -> None:
        self.http.close()


def _content(text: str, ref: str, limit: int) -> str:
    suffix = size(with_ref("", ref))
    return with_ref(fit(text, limit - suffix), ref)


def classify(code: object, errmsg: str) -> DeliveryError:
    reason = f"errcode {code}: {errmsg}"
    if code in THROTTLED:
        return DeliveryError(Outcome.THROTTLED, reason, THROTTLE_PENALTY)
    if code in BUSY:
        return DeliveryError(Outcome.TRANSIENT, reason)
    if code in CONFIG_CODES:
        return DeliveryError(Outcome.CONFIG, reason)
    return DeliveryError(Outcome.PERMANENT, reason)
