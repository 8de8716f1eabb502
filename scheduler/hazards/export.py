"""A hazard as people read it: the import file's columns (so a listing can be re-imported),
a listing row, the detail view with its history, and JSON for other programs."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.cells import csv_record
from scheduler.hazards.completeness import missing_items
from scheduler.hazards.fields import columns
from scheduler.hazards.models import Hazard
from scheduler.hazards.vocab import (
    OPEN_STATUSES,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
)

LIST_HEADERS = ("编号", "企业", "隐患", "等级", "状态", "整改期限", "逾期", "缺项")
HISTORY_HEADERS = ("时间", "操作人", "事项", "原值", "新值", "原因")
EMPTY = "（空）"
_EVENTS = {"registered": "登记", "status": "状态", "deadline": "延期", "updated": "修改"}
_VOCABULARIES: dict[str, type[enum.Enum]] = {
    "category": HazardCategory,
    "level": HazardLevel,
    "source": HazardSource,
    "status": HazardStatus,
}


def value_text(name: str, value: Any, zone: dt.tzinfo) -> str:
    """A field's value as the register shows it to people: labels, local times, money in 元/万元."""
    if name == "funds_yuan" and value is not None:
        return f"{value / 10000:g}万元" if value % 100 == 0 and value >= 10000 else f"{value:,}元"
    return _text(name, value, zone)


def _text(name: str, value: Any, zone: dt.tzinfo) -> str:
    if value is None:
        return ""
    if name in _VOCABULARIES:
        return _VOCABULARIES[name](value).label  # type: ignore[attr-defined, no-any-return]
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def row(hazard: Hazard, zone: ZoneInfo) -> dict[str, str]:
    """Header → cell, exactly the columns `hazard import` reads."""
    cells = {}
    for column in columns(zone):
        value = (
            hazard.enterprise.code
            if column.field == "enterprise"
            else getattr(hazard, column.field)
        )
        cells[column.label] = _text(column.field, value, zone)
    return cells


def as_json(hazard: Hazard, zone: ZoneInfo, *, history: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column in columns(zone):
        if column.field == "enterprise":
            data["enterprise"] = {"code": hazard.enterprise.code, "name": hazard.enterprise.name}
            continue
        value = getattr(hazard, column.field)
        data[column.field] = (
            value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
        )
    data["registered_at"] = hazard.registered_at.isoformat()
    data["closed_at"] = hazard.closed_at.isoformat() if hazard.closed_at else None
    data["missing"] = _missing(hazard)
    if history:
        data["history"] = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "kind": e.kind,
                "old": e.old,
                "new": e.new,
                "reason": e.reason,
                "changes": e.changes,
            }
            for e in hazard.events
        ]
    return data


def _missing(hazard: Hazard) -> list[str]:
    return missing_items(hazard) if hazard.level == HazardLevel.MAJOR.value else []


def list_row(hazard: Hazard, today: dt.date) -> tuple[object, ...]:
    late = (
        hazard.deadline is not None
        and hazard.deadline < today
        and hazard.status_enum in OPEN_STATUSES
    )
    days_late = f"{(today - hazard.deadline).days}天" if late and hazard.deadline else ""
    return (
        hazard.code,
        hazard.enterprise.name,
        hazard.title,
        hazard.level_enum.label,
        hazard.status_enum.label,
        hazard.deadline or "",
        days_late,
        "、".join(_missing(hazard)),
    )


def to_csv(hazards: Sequence[Hazard], zone: ZoneInfo) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=[c.label for c in columns(zone)], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(csv_record(row(h, zone)) for h in hazards)
    return buffer.getvalue()


def details(hazard: Hazard, zone: ZoneInfo) -> list[str]:
    """One line per field, labels aligned (full-width spaces, as the labels are Chinese)."""
    cells = row(hazard, zone)
    cells["企业"] = f"{hazard.enterprise.name}（{hazard.enterprise.code}）"
    if missing := _missing(hazard):
        cells["尚缺"] = "、".join(missing)
    width = max(len(k) for k in cells)
    return [f"{label}{'　' * (width - len(label))}  {value}" for label, value in cells.items()]


def history(hazard: Hazard, zone: ZoneInfo) -> list[tuple[str, ...]]:
    """One row per status change, extension and registration, and per field an edit changed,
    with its value before and after (（空） when there was none)."""
    rows: list[tuple[str, ...]] = []
    for e in hazard.events:
        when = e.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        if e.kind == "updated" and e.changes:
            for change in e.changes:
                rows.append((when, e.actor, f"修改「{change['field']}」", change["old"] or EMPTY,
                             change["new"] or EMPTY, e.reason))
            continue
        rows.append((when, e.actor, _EVENTS.get(e.kind, e.kind), _status_label(e.old), _status_label(e.new),
                     e.reason))
    return rows


def _status_label(value: str) -> str:
    try:
        return HazardStatus(value).label
    except ValueError:
        return value
