"""One printable row per duty day: the shape every export and every roster notice shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from rosters.model import DutyDay, Slot
from scheduler.people.models import Staff
from scheduler.vocab import Role

WEEKDAYS = "一二三四五六日"
HEADINGS = ("日期", "星期", "类型", "带班领导", "带班领导电话", "值班员", "值班员电话", "状态")
PUBLISHED, DRAFT, EMPTY = "已发布", "草稿", "未排"


@dataclass(frozen=True)
class Holder:
    code: str
    name: str
    mobile: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "mobile": self.mobile}


@dataclass(frozen=True)
class RosterRow:
    day: DutyDay
    leaders: tuple[Holder, ...]
    officers: tuple[Holder, ...]
    published: bool = False  # a draft (草稿) may still change; only published days are final

    @property
    def weekday(self) -> str:
        return "星期" + WEEKDAYS[self.day.date.weekday()]

    def holders(self, role: Role) -> tuple[Holder, ...]:
        return self.leaders if role is Role.LEADER else self.officers

    @property
    def status(self) -> str:
        """已发布, 草稿 (generated, not yet published) or 未排 (nobody on it yet)."""
        if self.published:
            return PUBLISHED
        return DRAFT if self.leaders or self.officers else EMPTY

    def cells(self) -> tuple[str, ...]:
        """The row under ``HEADINGS``; an empty seat reads （未排）."""
        return (
            self.day.date.isoformat(),
            self.weekday,
            self.day.label,
            _names(self.leaders),
            "、".join(h.mobile for h in self.leaders),
            _names(self.officers),
            "、".join(h.mobile for h in self.officers),
            self.status,
        )

    def as_dict(self) -> dict[str, object]:
        """JSON-able (for `roster show --format json` and notice contexts)."""
        return {
            "date": self.day.date.isoformat(),
            "weekday": self.weekday,
            "kind": self.day.kind.value,
            "label": self.day.label,
            "start": self.day.start.isoformat(),
            "end": self.day.end.isoformat(),
            "leaders": [h.as_dict() for h in self.leaders],
            "officers": [h.as_dict() for h in self.officers],
            "complete": self.complete,
            "published": self.published,
        }

    @property
    def complete(self) -> bool:
        return len(self.leaders) >= self.day.need[Role.LEADER] and len(self.officers) >= self.day.need[Role.OFFICER]


def roster_rows(days: Sequence[DutyDay], seats: Mapping[Slot, str], staff: Mapping[str, Staff],
                published: Collection[dt.date] = ()) -> list[RosterRow]:
    by_day: dict[dt.date, dict[Role, list[tuple[int, Holder]]]] = {}
    for slot, code in seats.items():
        person = staff.get(code)
        holder = Holder(code, person.name if person else code, person.mobile if person else "")
        by_day.setdefault(slot.date, {}).setdefault(slot.role, []).append((slot.index, holder))
    rows = []
    for day in days:
        held = by_day.get(day.date, {})
        rows.append(RosterRow(
            day,
            tuple(h for _, h in sorted(held.get(Role.LEADER, []), key=lambda x: x[0])),
            tuple(h for _, h in sorted(held.get(Role.OFFICER, []), key=lambda x: x[0])),
            day.date in published,
        ))
    return rows


def _names(holders: tuple[Holder, ...]) -> str:
    return "、".join(h.name for h in holders) or "（未排）"
