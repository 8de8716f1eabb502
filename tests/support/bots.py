"""Stand-ins for the chat bots: each checks the credential and the signature exactly as the
vendor documents it, and answers with the vendor's real success and error bodies. Scriptable
like any ``HttpStub`` (``bot.script(Answer.json(DINGTALK_THROTTLED))``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from tests.support.servers import Answer, HttpStub, Request

DINGTALK_OK = {"errcode": 0, "errmsg": "ok"}
DINGTALK_THROTTLED = {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
DINGTALK_BAD_SIGN = {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}
DINGTALK_BAD_TOKEN = {"errcode": 300001, "errmsg": "token is not exist"}
DINGTALK_TOO_LONG = {"errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"}
WECOM_OK = {"errcode": 0, "errmsg": "ok"}
WECOM_THROTTLED = {"errcode": 45009, "errmsg": "api freq out of limit"}
WECOM_BAD_KEY = {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_1_abcdef], from ip: 127.0.0.1"}
FEISHU_OK = {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}
FEISHU_THROTTLED = {"code": 11232, "data": {}, "msg": "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"}
FEISHU_BAD_SIGN = {"code": 19021, "data": {}, "msg": "sign match fail or timestamp is not within one hour from current time"}
FEISHU_BAD_HOOK = {"code": 19001, "data": {}, "msg": "param invalid: incoming webhook access token invalid"}
FEISHU_BAD_REQUEST = {"code": 9499, "data": {}, "msg": "Bad Request"}
SIGN_WINDOW_S = 3600


class DingtalkBot(HttpStub):
    """钉钉自定义机器人: ``POST /robot/send?access_token=T[&timestamp=ms&sign=S]``."""

    def __init__(self, token: str = "tok", secret: str = "", port: int = 0) -> None:
        super().__init__(port)
        self.token, self.secret = token, secret
        self.messages: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}/robot/send?access_token={self.token}"

    def handle(self, request: Request) -> Answer:
        if request.path != "/robot/send" or request.query.get("access_token") != self.token:
            return Answer.json(DINGTALK_BAD_TOKEN)
        if self.secret:
            timestamp, sign = request.query.get("timestamp", ""), request.query.get("sign", "")
            if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > SIGN_WINDOW_S * 1000:
                return Answer.json({"errcode": 310000, "errmsg": "invalid timestamp"})
            to_sign = f"{timestamp}\n{self.secret}".encode()
            expected = base64.b64encode(hmac.new(self.secret.encode(), to_sign, hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(expected, sign):
                return Answer.json(DINGTALK_BAD_SIGN)
        if len(request.body) > 20000:
            return Answer.json(DINGTALK_TOO_LONG)
        with self._lock:
            self.messages.append(request.json())
        return Answer.json(DINGTALK_OK)


class WecomBot(HttpStub):
    """企业微信群机器人: ``POST /cgi-bin/webhook/send?key=K``."""

    def __init__(self, key: str = "k-0001", port: int = 0) -> None:
        super().__init__(port)
        self.key = key
        self.messages: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={self.key}"

    def handle(self, request: Request) -> Answer:
        if request.path != "/cgi-bin/webhook/send" or request.query.get("key") != self.key:
            return Answer.json(WECOM_BAD_KEY)
        payload = request.json()
        kind = payload.get("msgtype")
        limit = {"markdown": 4096, "text": 2048}.get(kind)
        if limit is None:
            return Answer.json({"errcode": 40008, "errmsg": "invalid message type"})
        if len(payload[kind]["content"].encode()) > limit:
            return Answer.json({"errcode": 40058, "errmsg": f"{kind}.content exceed max length {limit}"})
        with self._lock:
            self.messages.append(payload)
        return Answer.json(WECOM_OK)


class FeishuBot(HttpStub):
    """飞书自定义机器人: ``POST /open-apis/bot/v2/hook/H`` with ``timestamp`` and ``sign`` in the body."""

    def __init__(self, hook: str = "h-0001", secret: str = "", port: int = 0) -> None:
        super().__init__(port)
        self.hook, self.secret = hook, secret
        self.messages: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}/open-apis/bot/v2/hook/{self.hook}"

    def handle(self, request: Request) -> Answer:
        if request.path != f"/open-apis/bot/v2/hook/{self.hook}":
            return Answer.json(FEISHU_BAD_HOOK, 404)
        if len(request.body) > 20 * 1024:
            return Answer.json(FEISHU_BAD_REQUEST, 400)
        payload = request.json()
        if self.secret:
            timestamp, sign = str(payload.get("timestamp", "")), str(payload.get("sign", ""))
            key = f"{timestamp}\n{self.secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            fresh = timestamp.isdigit() and abs(int(timestamp) - time.time()) <= SIGN_WINDOW_S
            if not fresh or not hmac.compare_digest(expected, sign):
                return Answer.json(FEISHU_BAD_SIGN)
        with self._lock:
            self.messages.append(payload)
        return Answer.json(FEISHU_OK)


