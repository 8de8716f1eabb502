"""``[warnings]``: where weather and emergency warnings come from (a watched folder, feeds, by
hand), how documents are checked, and ``[warnings.relay]`` (``warning_relay``): who gets them.

A config without ``[warnings]`` takes no warnings in: no folder is watched, no feed is polled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scheduler.config.warning_relay import RelayConfig


@dataclass(frozen=True)
class WarningsConfig:
    relay: RelayConfig = field(default_factory=RelayConfig)
