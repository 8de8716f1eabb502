"""``[warnings]``: where weather and emergency warnings come from (a watched folder, feeds, by
hand), how documents are checked, and ``[warnings.relay]`` (``warning_relay``): who gets them.

A config without ``[warnings]`` takes no warnings in: no folder is watched, no feed is polled.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from scheduler.config.channels import url_problem
from scheduler.config.typed import Secret
from scheduler.config.warning_relay import RelayConfig

MIN_INTERVAL = dt.timedelta(seconds=30)
FEED_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")  # it goes into the state's keys and the reports


@dataclass(frozen=True)
class FeedConfig:
    """``[warnings.feeds.NAME]``: one CAP source polled over http (an intranet mirror).

    The url may be a single CAP document, an Atom or RSS list whose entries link to CAP
    documents, or a directory listing (HTML with links to ``*.xml``); ``warnings.feeds`` tells
    them apart by what comes back.  A failing feed is retried after ``retry_first``, doubling
    up to ``retry_cap``; after ``report_after`` failures in a row the admins are told once.
    """

    url: Secret = Secret("")
    interval: dt.timedelta = dt.timedelta(minutes=5)
    connect_timeout: dt.timedelta = dt.timedelta(seconds=5)
    timeout: dt.timedelta = dt.timedelta(seconds=15)  # waiting for each part of the answer
    retry_first: dt.timedelta = dt.timedelta(seconds=30)
    retry_cap: dt.timedelta = dt.timedelta(minutes=30)
    report_after: int = 3
    verify_tls: bool = True
    allow_private: bool = False  # exempt from security.refuse_private_urls (an intranet mirror)

    def __post_init__(self) -> None:
        problem = url_problem(self.url)
        if problem:  # the message names the part that is wrong, never the url (it may hold a token)
            raise ValueError(f"url {problem}")
        if self.interval < MIN_INTERVAL:
            raise ValueError(f"interval: {self.interval} is shorter than {MIN_INTERVAL} (be kind to the mirror)")
        for name in ("connect_timeout", "timeout", "retry_first"):
            if getattr(self, name) <= dt.timedelta(0):
                raise ValueError(f"{name} must be longer than 0s")
        if self.retry_cap < self.retry_first:
            raise ValueError("retry_cap must be at least retry_first")
        if self.report_after < 1:
            raise ValueError("report_after must be at least 1")


@dataclass(frozen=True)
class WarningsConfig:
    # The watched folder (relative to the project); "" watches none.  Taken files move to done/,
    # refused ones to failed/ (with a .reason.txt beside them).
    inbox: str = ""
    # A document larger than this is refused before it is parsed.
    max_bytes: int = 1_000_000
    # How often the inbox is scanned.
    scan_every: dt.timedelta = dt.timedelta(seconds=60)
    # status Exercise: "deliver" (sent, marked 演练), "store" (kept, not sent) or "refuse".
    exercise: Literal["deliver", "store", "refuse"] = "deliver"
    # status Test: "store" (kept, never sent) or "refuse".
    test: Literal["store", "refuse"] = "store"
    feeds: dict[str, FeedConfig] = field(default_factory=dict)
    relay: RelayConfig = field(default_factory=RelayConfig)

    def __post_init__(self) -> None:
        if self.max_bytes < 1000:
            raise ValueError(f"max_bytes: {self.max_bytes} is too small for a CAP document (at least 1000)")
        for name in self.feeds:
            if not FEED_NAME.match(name):
                raise ValueError(f"feeds.{name}: a feed's name is letters, digits, - and _ (at most 40)")
