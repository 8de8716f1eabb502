"""A hazard as people read it: the import file's columns (so a listing can be re-imported),
and JSON for other programs."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.hazards.completeness import missing_items
from scheduler.hazards.fields import columns
from scheduler.hazards.models import Hazard
from scheduler.hazards.vocab import HazardCategory, HazardLevel, HazardSource, HazardStatus

_VOCABULARIES: dict[str, type[enum.Enum]] = {
    "category": HazardCategory,
    "level": HazardLevel,
    "source": HazardSource,
    "status": HazardStatus,
}


def _text(name: str, value: Any, zone: ZoneInfo) -> str:
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
    data["missing"] = missing_items(hazard) if hazard.level == HazardLevel.MAJOR.value else []
    if history:
        data["history"] = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "kind": e.kind,
                "old": e.old,
                "new": e.new,
                "reason": e.reason,
            }
            for e in hazard.events
        ]
    return data
