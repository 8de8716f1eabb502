"""The one place that reads the real clock. Everything else is given a Clock or a ``now``."""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class BackwardJumps:
    """Notices the wall clock stepping back (an NTP correction, a restored VM snapshot) by
    comparing it with the monotonic clock, which never steps."""

    def __init__(self, clock: Clock, tolerance: dt.timedelta = dt.timedelta(seconds=1)) -> None:
        self.clock = clock
        self.tolerance = tolerance
        self._offset = self._read()

    def _read(self) -> dt.datetime:
        return self.clock.now() - dt.timedelta(seconds=time.monotonic())

    def went_back(self) -> dt.timedelta | None:
        """How far the clock went back since the last call, if more than ``tolerance``."""
        offset = self._read()
        back, self._offset = self._offset - offset, offset
        return back if back > self.tolerance else None
