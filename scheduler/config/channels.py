"""``[channels.NAME]`` tables: one dataclass per channel type, chosen by ``type``.

Rate limits (``rate_per_minute``, ``rate_per_second``; 0 = none) are a target's budget: at most
that many requests in any 60 s (any 1 s). The bot defaults are the vendors' documented limits.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import ipaddress
import urllib.parse
from dataclasses import dataclass, fields
from typing import Literal

from scheduler.config.typed import Secret
from scheduler.redaction import mask_patterns

NO_SECRET = Secret("")


def _check_url(url: str, what: str = "url", schemes: tuple[str, ...] = ("https", "http")) -> None:
    """Refuse, at load, a URL that no request could be made to. The message names the part that
    is wrong, never the URL itself: for the chat bots it holds the token."""
    problem = url_problem(url, schemes)
    if problem:
        raise ValueError(f"{what} {problem}")


def url_problem(url: str, schemes: tuple[str, ...] = ("https", "http")) -> str | None:
    if not url:
        return "is empty"
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return "contains a space or a control character (percent-encode it, e.g. %20)"
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in schemes:
        return f"must start with {schemes[0]}://" + "".join(f" (or {s}://)" for s in schemes[1:])
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:  # "Port out of range 0-65535", "Invalid IPv6 URL", a port that is not a number
        return "has an invalid port or address (the port must be a number from 1 to 65535)"
    host = parts.hostname
    if not host:
        return "has no host name"
    if port == 0:
        return "has an invalid port or address (the port must be a number from 1 to 65535)"
    if not _valid_host(host):
        return "has an invalid host name"
    return None


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(
        0 < len(label) <= 63 and not label.startswith("-") and not label.endswith("-")
        and all(c.isalnum() or c in "-_" for c in label)
        for label in labels
    )


@dataclass(frozen=True)
class ConsoleChannelConfig:
    """Writes each rendered message to the log and appends it to a JSONL file."""

    type: Literal["console"]
    path: str = "var/console-outbox.jsonl"
    rate_per_minute: int = 0
    rate_per_second: int = 0


@dataclass(frozen=True)
class EmailChannelConfig:
    type: Literal["email"]
    host: str
    sender: str  # the From address; QQ, 163 and Aliyun require it to equal the login
    port: int = 465
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str = ""
    password: Secret = NO_SECRET
    sender_name: str = "安全生产值班提醒"
    verify_tls: bool = True
    ca_file: str = ""  # extra CA bundle to trust (a private mail server); "" = the system store
    timeout: dt.timedelta = dt.timedelta(seconds=30)
    batch: int = 50  # messages per connection before reconnecting
    rate_per_minute: int = 0
    rate_per_second: int = 0

    def __post_init__(self) -> None:
        if self.security == "none" and self.username:
            raise ValueError('security = "none" would send the password in clear text: use "ssl" or "starttls"')
        if "@" not in self.sender:
            raise ValueError(f"sender {self.sender!r} is not an e-mail address")
        if self.batch < 1:
            raise ValueError("batch must be at least 1")


@dataclass(frozen=True)
class _HttpChannelConfig:
    """What every HTTP channel shares. The environment's proxy settings are ignored on purpose
    (looking them up costs about a third of the CPU per request); name a proxy here instead."""

    url: Secret
    timeout: dt.timedelta = dt.timedelta(seconds=15)
    connect_timeout: dt.timedelta = dt.timedelta(seconds=5)
    proxy: str = ""
    verify_tls: bool = True
    allow_private: bool = False  # exempt from security.refuse_private_urls (an intranet host)

    def __post_init__(self) -> None:
        _check_url(self.url)
        if self.proxy:
            _check_url(self.proxy, "proxy", ("http", "https", "socks5", "socks5h"))


@dataclass(frozen=True)
class WebhookChannelConfig(_HttpChannelConfig):
    """Generic JSON webhook signed per the Standard Webhooks specification."""

    type: Literal["webhook"] = "webhook"
    secret: Secret = NO_SECRET  # whsec_<base64>; several separated by spaces while rotating
    rate_per_minute: int = 0
    rate_per_second: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        secrets = self.secret.split()
        if not secrets:
            raise ValueError("secret is required: receivers verify every delivery (whsec_ + base64)")
        for secret in secrets:
            if not secret.startswith("whsec_"):
                raise ValueError("secret must start with whsec_ (Standard Webhooks)")
            try:
                base64.b64decode(secret[len("whsec_"):], validate=True)
            except binascii.Error:
                raise ValueError("secret: the part after whsec_ is not valid base64") from None


@dataclass(frozen=True)
class WecomChannelConfig(_HttpChannelConfig):
    type: Literal["wecom"] = "wecom"
    # "auto": markdown, or text when someone is to be @mentioned (WeCom markdown cannot @ by mobile)
    msgtype: Literal["auto", "markdown", "text"] = "auto"
    rate_per_minute: int = 20
    rate_per_second: int = 0


@dataclass(frozen=True)
class DingtalkChannelConfig(_HttpChannelConfig):
    type: Literal["dingtalk"] = "dingtalk"
    secret: Secret = NO_SECRET  # the SEC… 加签 secret; "" when the robot uses keywords or an IP list
    rate_per_minute: int = 20
    rate_per_second: int = 0


@dataclass(frozen=True)
class FeishuChannelConfig(_HttpChannelConfig):
    type: Literal["feishu"] = "feishu"
    secret: Secret = NO_SECRET  # the signing secret; "" when the bot uses keywords or an IP list
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


def fingerprint(spec: ChannelConfig, key: str = "") -> str:
    """A digest of a channel's settings: when it changes, a target marked unhealthy is tried
    again, since someone fixed its config. It is stored in the database, so it must not let a
    reader test guesses of a password or token against it:

    - with ``key`` (config ``security.fingerprint_key`` or its generated key file): an HMAC over
      every setting, secrets included;
    - without: a plain digest of the settings that are not secrets (a URL counts without its
      credential parts), so a changed token alone does not count as a change.
    """
    def shown(value: object) -> str:
        if not isinstance(value, Secret) or key:
            return str(value)
        return mask_patterns(value) if "://" in value else ("set" if value else "")

    text = "\n".join(f"{f.name}={shown(getattr(spec, f.name))}" for f in fields(spec))
    if key:
        return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()[:16]
    return hashlib.sha256(text.encode()).hexdigest()[:16]
