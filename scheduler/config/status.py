"""``[status]``: the limits `safeduty status` grades the service's health by (0 ok, 1 warning,
2 critical: the exit codes of cron/Nagios-style checks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ZERO = dt.timedelta(0)


@dataclass(frozen=True)
class AgeLimits:
    """An age at which a check turns to warning, and one at which it turns critical ("0s": never)."""

    warning: dt.timedelta = ZERO
    critical: dt.timedelta = ZERO

    def __post_init__(self) -> None:
        if self.warning and self.critical and self.critical < self.warning:
            raise ValueError(f"critical ({self.critical}) is sooner than warning ({self.warning})")

    def level(self, age: dt.timedelta) -> int:
        if self.critical and age >= self.critical:
            return 2
        return 1 if self.warning and age >= self.warning else 0


@dataclass(frozen=True)
class CountLimits:
    """A count at which a check turns to warning, and one at which it turns critical (0: never)."""

    warning: int = 0
    critical: int = 0

    def __post_init__(self) -> None:
        if self.warning < 0 or self.critical < 0:
            raise ValueError("warning and critical must be 0 (never) or more")
        if self.warning and self.critical and self.critical < self.warning:
            raise ValueError(f"critical ({self.critical}) is below warning ({self.warning})")

    def level(self, count: int) -> int:
        if self.critical and count >= self.critical:
            return 2
        return 1 if self.warning and count >= self.warning else 0


@dataclass(frozen=True)
class StatusConfig:
    last_tick: AgeLimits = AgeLimits(dt.timedelta(minutes=10), dt.timedelta(minutes=30))
    oldest_due: AgeLimits = AgeLimits(dt.timedelta(minutes=10), dt.timedelta(hours=1))
    backlog: CountLimits = CountLimits(1000, 20000)
    dead: CountLimits = CountLimits(1, 0)
    expired: CountLimits = CountLimits(1, 0)
    paused_targets: CountLimits = CountLimits(1, 0)
    unhealthy_targets: CountLimits = CountLimits(0, 1)
    upcoming: int = 5
    upcoming_within: dt.timedelta = dt.timedelta(days=30)
    lock_wait: dt.timedelta = dt.timedelta(seconds=5)

    def __post_init__(self) -> None:
        if self.upcoming < 0:
            raise ValueError("upcoming must be 0 or more")
        if self.lock_wait <= ZERO:
            raise ValueError("lock_wait must be more than 0s")
