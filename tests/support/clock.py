from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        assert start.tzinfo is not None
        self.current = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self.current

    def set(self, moment: dt.datetime) -> None:
        self.current = moment.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        self.current += delta


def local(*args: int) -> dt.datetime:
    """A moment in Asia/Shanghai: local(2026, 2, 1, 9, 0)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)
