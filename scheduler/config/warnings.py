"""``[warnings]``: where weather and emergency warnings come from (a watched folder, feeds, by
hand), how documents are checked, and ``[warnings.relay]`` (``warning_relay``): who gets them.

A config without ``[warnings]`` takes no warnings in: no folder is watched, no feed is polled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from scheduler.config.warning_relay import RelayConfig


@dataclass(frozen=True)
class FeedConfig:
    """``[warnings.feeds.NAME]``: one CAP source polled over http (an intranet mirror)."""

    url: str = ""
    interval: dt.timedelta = dt.timedelta(minutes=5)

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url: {self.url!r} must be an http:// or https:// address")


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
