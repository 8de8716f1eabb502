"""飞书自定义机器人 (Feishu / Lark custom bot), rich-text ("post") messages with optional signing.

Signing, as Feishu documents it (the reverse of DingTalk): timestamp in seconds; HMAC-SHA256
with key = ``timestamp + "\\n" + secret`` and an EMPTY message; base64, not URL-encoded; both go
in the JSON body. Computed afresh for every attempt. Success is ``code == 0``. @mentions need an
open_id: a custom bot cannot look people up by mobile.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

from scheduler.channels.base import DeliveryError, Outcome, Rendered
from scheduler.channels.http import HttpClient
from scheduler.channels.text import fit_json, with_ref
from scheduler.config.channels import FeishuChannelConfig

MAX_BODY_BYTES = 20000  # "request body ≤ 20 KB"; beyond it code 9499
THROTTLE_PENALTY = dt.timedelta(seconds=60)  # when no x-ogw-ratelimit-reset says otherwise
THROTTLED = frozenset({11232, 99991400})
CONFIG_CODES = frozenset({19001, 19002, 19021, 19022, 19024})


def sign(secret: str, timestamp_s: str) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class FeishuChannel:
    def __init__(self, name: str, spec: FeishuChannelConfig, wall: Callable[[], float] = time.time,
                 *, refuse_private: bool = False) -> None:
        self.name = name
        self.spec = spec
        self.http = HttpClient(spec, wall, refuse_private=refuse_private)
        self.wall = wall

    def payload(self, message: Rendered, text: str) -> dict[str, Any]:
        lines: list[list[dict[str, str]]] = [[{"tag": "text", "text": line}] for line in with_ref(text, message.ref).split("\n")]
        at = [{"tag": "at", "user_id": m.open_id} for m in message.mentions if m.open_id]
        if at:
            lines.append(at)
        return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": message.subject, "content": lines}}}}

    def send(self, message: Rendered) -> str:
        def build(text: str) -> dict[str, Any]:
            payload = self.payload(message, text)
            if self.spec.secret:
                timestamp = str(int(self.wall()))
                payload = {"timestamp": timestamp, "sign": sign(self.spec.secret, timestamp), **payload}
            return payload

        response = self.http.post(self.spec.url, fit_json(build, message.text, MAX_BODY_BYTES))
        if response.status_code == 429:
            raise DeliveryError(Outcome.THROTTLED, f"HTTP 429: {response.text[:200]}", _reset(response))
        answer = self.http.bot_answer(response)
        code = answer.get("code", answer.get("StatusCode"))
        if code == 0:
            return "code 0"
        raise classify(code, str(answer.get("msg", answer.get("StatusMessage", ""))), response)

    def end_batch(self) -> None:
        pass

    def close(self) -> None:
        self.http.close()


def _reset(response: Any) -> dt.timedelta:
    """Feishu says how long to wait in ``x-ogw-ratelimit-reset`` (seconds)."""
    value = response.headers.get("x-ogw-ratelimit-reset", "")
    try:
        return dt.timedelta(seconds=max(1, int(float(value))))
    except ValueError:
        return THROTTLE_PENALTY


def classify(code: object, msg: str, response: Any) -> DeliveryError:
    reason = f"code {code}: {msg}"
    if code in THROTTLED:
        return DeliveryError(Outcome.THROTTLED, reason, _reset(response))
    if code in CONFIG_CODES:
        if code == 19021:
            reason += " (check the secret, and that this machine's clock is right)"
        return DeliveryError(Outcome.CONFIG, reason)
    return DeliveryError(Outcome.PERMANENT, reason)
