"""``[web]``: the web interface served beside the scheduler (and by `safeduty web` alone).

Secrets here (``secret_key`` and the three tokens) are read from the environment in production
(``"${SAFEDUTY_WEB_SECRET}"``). An unset ``secret_key`` falls back to a generated key file in the
state folder (``scheduler.keys``), except on PostgreSQL, where every replica must share one.
An unset token switches off what it opens: no board token, no wall screen without signing in.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from scheduler.config.typed import Secret

_HOST = re.compile(r"^[A-Za-z0-9.-]+$")


class Listen(NamedTuple):
    """A host and port to serve on: "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80".

    (A named tuple, not a dataclass: the config converter reads dataclasses as tables.)
    """

    host: str
    port: int

    @classmethod
    def parse(cls, value: Any) -> Listen:
        if not isinstance(value, str):
            raise TypeError(f'expected "HOST:PORT" such as "127.0.0.1:8080", got {type(value).__name__}')
        text = value.strip()
        match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d{1,5})|([^:\[\]]+):(\d{1,5})", text)
        if not match:
            raise ValueError(f'expected "HOST:PORT" such as "127.0.0.1:8080" (IPv6: "[::1]:8080"), got {value!r}')
        host, port = (match[1], match[2]) if match[1] else (match[3], match[4])
        if match[1]:
            try:
                ipaddress.IPv6Address(host)
            except ValueError:
                raise ValueError(f"{host!r} is not an IPv6 address") from None
        elif not _HOST.match(host):
            raise ValueError(f"{host!r} is not a host name or address")
        number = int(port)
        if not 0 <= number < 65536:  # 0: any free port (tests; the log says which)
            raise ValueError(f"port {number} is not between 1 and 65535")
        return cls(host, number)

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class WebConfig:
    # Off unless config.toml says so (the shipped one does): a config without [web] serves nothing.
    enabled: bool = False  # serve the web interface beside the scheduler in `safeduty run`
    listen: Listen = Listen("127.0.0.1", 8080)
    base_url: str = ""  # the public address: the root of links in messages and calendar feeds
    threads: int = 4  # waitress worker threads
    secret_key: Secret = Secret("")  # signs session cookies; "" = var/web-secret.key (SQLite only)
    session_idle: dt.timedelta = dt.timedelta(hours=8)  # signed out after this long without a request
    max_body: int = 1_048_576  # bytes; a larger request body is refused with 413
    board_token: Secret = Secret("")  # wall screen: /?token=… shows the board without signing in
    api_token: Secret = Secret("")  # JSON API: "Authorization: Bearer …"
    metrics_token: Secret = Secret("")  # /metrics: "Authorization: Bearer …"
    feeds: bool = False  # personal and team calendar feeds (/ics/<token>.ics)
    proxy_hops: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto (0 = none)
    login_window: dt.timedelta = dt.timedelta(minutes=15)
    login_per_account: int = 5  # failed sign-ins per account within login_window before a pause
    login_per_address: int = 20  # failed sign-ins per client address within login_window
    ready_tick_age: dt.timedelta = dt.timedelta(minutes=5)  # /readyz: last planning tick at most this old
    ready_due_age: dt.timedelta = dt.timedelta(minutes=15)  # /readyz: oldest due message at most this old

    def __post_init__(self) -> None:
        if self.base_url and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", self.base_url):
            raise ValueError(f'base_url: expected an address such as "https://duty.example.gov.cn", '
                             f"got {self.base_url!r}")
        if self.feeds and not self.base_url:
            raise ValueError('base_url: needed while feeds = true (calendar feeds and links in messages '
                             'are built on it), e.g. base_url = "http://127.0.0.1:8080"')
        if self.threads < 1 or self.max_body < 1024 or self.login_per_account < 1 or self.login_per_address < 1:
            raise ValueError("threads, login_per_account and login_per_address must be at least 1, "
                             "max_body at least 1024")
        if self.proxy_hops < 0:
            raise ValueError("proxy_hops must be 0 or more")
        if self.session_idle < dt.timedelta(minutes=1):
            raise ValueError("session_idle must be at least 1m")

    @property
    def root(self) -> str:
        """base_url without a trailing slash: ``root + "/ics/…"`` is a link."""
        return self.base_url.rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")
