"""``[channels.NAME]`` tables: one dataclass per channel type, chosen by ``type``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from scheduler.config.typed import Secret


@dataclass(frozen=True)
class ConsoleChannelConfig:
    """Writes each rendered message to the log and appends it to a JSONL file."""

    type: Literal["console"]
    path: str = "var/console-outbox.jsonl"


@dataclass(frozen=True)
class EmailChannelConfig:
    type: Literal["email"]
    host: str
    sender: str
    port: int = 465
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str = ""
    password: Secret = Secret("")
    sender_name: str = "安全生产值班提醒"
    verify_tls: bool = True
    timeout: dt.timedelta = dt.timedelta(seconds=30)
    batch: int = 20


@dataclass(frozen=True)
class WebhookChannelConfig:
    """Generic JSON webhook signed per the Standard Webhooks specification."""

    type: Literal["webhook"]
    url: Secret
    secret: Secret = Secret("")
    timeout: dt.timedelta = dt.timedelta(seconds=15)
    rate_per_minute: int = 0


@dataclass(frozen=True)
class WecomChannelConfig:
    type: Literal["wecom"]
    url: Secret
    timeout: dt.timedelta = dt.timedelta(seconds=15)
    rate_per_minute: int = 20


@dataclass(frozen=True)
class DingtalkChannelConfig:
    type: Literal["dingtalk"]
    url: Secret
    secret: Secret = Secret("")
    timeout: dt.timedelta = dt.timedelta(seconds=15)
    rate_per_minute: int = 20


@dataclass(frozen=True)
class FeishuChannelConfig:
    type: Literal["feishu"]
    url: Secret
    secret: Secret = Secret("")
    timeout: dt.timedelta = dt.timedelta(seconds=15)
    rate_per_minute: int = 100
    rate_per_second: int = 5


ChannelConfig = (
    ConsoleChannelConfig
    | EmailChannelConfig
    | WebhookChannelConfig
    | WecomChannelConfig
    | DingtalkChannelConfig
    | FeishuChannelConfig
)

BOT_TYPES = frozenset({"wecom", "dingtalk", "feishu"})
