"""Why a message could not be delivered, in Chinese, for the admins' digest and notices.

Channels and the outbox record the technical reason in English (the vendor's words, an HTTP
status, an SMTP code): that stays in `safeduty outbox show` and the logs. The admins' messages
lead with what it means and what to do, and keep the original after it (原文), which is what a
vendor's support desk will ask for.
"""

from __future__ import annotations

import re

_HTTP = re.compile(r"^HTTP (\d{3})")
_OWN = re.compile(r"^(not sent before it expired|lease expired)")
# (pattern in the recorded reason, what it means), first match wins.
_KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), text) for p, text in (
    (r"^not sent before it expired", "超过有效期仍未发出（服务停机、通道暂停或排队过久），已不再发送"),
    (r"^lease expired", "发送中途服务停止，等待重试"),
    (r"^template ", "消息模板出错，无法生成内容"),
    (r"^internal error", "程序内部错误"),
    (r"no e-mail address", "收件人没有电子邮箱地址"),
    (r"^login refused", "邮箱登录被拒绝（用户名或授权码错误）"),
    (r"^refused: ", "收件地址被邮件服务器拒收"),
    (r"certificate verification failed", "服务器证书校验失败"),
    (r"^TLS", "加密连接失败"),
    (r"^could not connect within|timed out", "连接超时"),
    (r"^connection failed|the server closed the connection", "无法连接对方服务器"),
    (r"redirected", "地址被重定向（请把 url 改为最终地址）"),
    (r"^request could not be made", "通道地址无效，请求无法发出"),
    (r"^cannot append to", "无法写入输出文件"),
    (r"^errcode 130101|^errcode 45009|^errcode 11232|^HTTP 429", "发送过于频繁，被对方限流"),
    (r"^errcode .*(签名|sign)", "机器人拒收：签名不符（请检查签名密钥和本机时间）"),
    (r"^errcode .*(token|keyword|关键词|\bip\b|白名单)", "机器人拒收：令牌、关键词或 IP 白名单不符"),
    (r"^errcode", "机器人拒收"),
))
_HTTP_MEANING = {401: "鉴权失败（令牌或签名不对）", 403: "没有权限（令牌、签名或 IP 白名单不对）",
                 404: "地址不存在（请检查 url）", 413: "消息过长，被对方拒收", 429: "发送过于频繁，被对方限流"}


def explain(error: str) -> str:
    """``error`` as an admin reads it: 「连接超时（原文：could not connect within 5s）」."""
    text = error.strip()
    if not text:
        return "原因未记录"
    meaning = next((m for pattern, m in _KNOWN if pattern.search(text)), None)
    if meaning is None and (match := _HTTP.match(text)):
        status = int(match[1])
        meaning = _HTTP_MEANING.get(status) or ("对方服务器出错" if status >= 500 else "对方拒收")
    if meaning is None:
        meaning = "发送失败"
    if _OWN.match(text):  # the outbox's own words: nothing a vendor would ask for
        return meaning
    return f"{meaning}（原文：{text}）"
