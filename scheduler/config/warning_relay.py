"""``[warnings.relay]``: who receives which warning (event × level → audiences), when an
unconfirmed warning is re-sent, how often the duty leader hears the receipt status.

Owned by the relay half of issue 14. The shipped rules follow wave2.md §C and domain.md
§5.2–5.3; config.toml explains each with its reason. A rule names events and levels and the
enterprises it reaches: by category, or (any category) by a venue feature such as 漂流.
Yellow and blue warnings reach the duty officer only unless a rule names them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scheduler.warnings.model import LEVELS

# Venue features (场所特征) an enterprise file may list: the activities most exposed to weather.
VENUE_FEATURES = ("漂流", "玻璃栈道", "索道", "野外", "涉水", "高空", "户外演出", "游船", "滑雪")


@dataclass(frozen=True)
class RelayRule:
    events: tuple[str, ...]
    levels: tuple[str, ...]
    categories: tuple[str, ...] = ()  # Category values (scenic_area, performance …)
    features: tuple[str, ...] = ()  # any enterprise with one of these venue features, whatever its category
    reason: str = ""

    def __post_init__(self) -> None:
        bad = [lv for lv in self.levels if lv not in LEVELS]
        if bad:
            raise ValueError(f"unknown level {bad[0]!r} (one of: {'、'.join(LEVELS)})")
        if not self.events or not self.levels:
            raise ValueError("a rule needs events and levels")
        odd = [f for f in self.features if f not in VENUE_FEATURES]
        if odd:
            raise ValueError(f"unknown venue feature {odd[0]!r} (one of: {'、'.join(VENUE_FEATURES)})")
        from scheduler.vocab import Category  # noqa: PLC0415 (vocab is light; avoids a cycle at import)

        known = {c.value for c in Category}
        wrong = [c for c in self.categories if c not in known]
        if wrong:
            raise ValueError(f"unknown category {wrong[0]!r} (one of: {', '.join(sorted(known))})")

    def applies(self, event: str, level: str) -> bool:
        return event in self.events and level in self.levels


_FLOOD = ("暴雨", "山洪", "地质灾害")
DEFAULT_RULES: tuple[RelayRule, ...] = (
    RelayRule(_FLOOD, ("红", "橙"), ("scenic_area", "performance"), ("漂流", "玻璃栈道", "索道", "野外", "涉水"),
              "山洪、滑坡冲向河谷和山地景区;漂流、涉水、栈道、索道、野外活动最先受困;户外演出和节庆人员密集"),
    RelayRule(("高温",), ("红",), ("scenic_area", "travel_agency"), ("户外演出",),
              "红色高温时户外游览和旅行团中暑风险最高,需调整行程"),
    RelayRule(("大风", "雷电"), ("红", "橙"), ("scenic_area",), ("索道", "玻璃栈道", "高空", "户外演出", "游船"),
              "大风雷电时索道、高空设施、游船和户外舞台须停运"),
    RelayRule(("暴雪", "寒潮", "冰冻"), ("红", "橙"), ("scenic_area",), ("索道", "滑雪"),
              "冰雪天气山路、索道和滑雪场风险高"),
)


def _half_hours() -> dict[str, dt.timedelta]:
    return {level: dt.timedelta(minutes=30) for level in LEVELS}


@dataclass(frozen=True)
class RelayConfig:
    enabled: bool = True
    rules: tuple[RelayRule, ...] = DEFAULT_RULES
    # Levels at which the duty officer, the duty leader and the section head hear at once.
    officer_levels: tuple[str, ...] = LEVELS
    leader_levels: tuple[str, ...] = ("红",)
    # Unconfirmed after this long → sent once more, and the venue listed to the duty officer.
    resend_after: dict[str, dt.timedelta] = field(default_factory=_half_hours)
    # While a warning at these levels is in force, the duty leader hears the receipt status this often.
    status_levels: tuple[str, ...] = ("红", "橙")
    status_every: dt.timedelta = dt.timedelta(hours=2)
    # While such a warning is in force over a region, venues there submit the daily 零报告.
    zero_report_events: tuple[str, ...] = ("暴雨", "山洪")
    zero_report_levels: tuple[str, ...] = ("红", "橙")

    def __post_init__(self) -> None:
        for name in ("officer_levels", "leader_levels", "status_levels", "zero_report_levels"):
            bad = [lv for lv in getattr(self, name) if lv not in LEVELS]
            if bad:
                raise ValueError(f"{name}: unknown level {bad[0]!r} (one of: {'、'.join(LEVELS)})")
        bad = [lv for lv in self.resend_after if lv not in LEVELS]
        if bad:
            raise ValueError(f"resend_after: unknown level {bad[0]!r}")
        if self.status_every <= dt.timedelta(0):
            raise ValueError("status_every must be positive")

    def resend_delay(self, level: str) -> dt.timedelta:
        return self.resend_after.get(level, dt.timedelta(minutes=30))
