"""The weekly overdue-hazard digest: one message per supervisor listing, by enterprise, the
hazards still open past their deadline (days overdue, level, the escalation step reached);
``[hazards.digest].groups`` get the whole list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from scheduler.hazards import queries
from scheduler.hazards.audience import Audiences, unique
from scheduler.hazards.models import Hazard
from scheduler.hazards.policy import reached
from scheduler.hazards.timing import at, send_days
from scheduler.hazards.vocab import HazardLevel
from scheduler.outbox.planned import PlannedMessage, Recipient, Window
from scheduler.planners.base import PlanContext

TOPIC = "hazard-digest"


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    settings = ctx.config.hazards.digest
    if not settings.enabled:
        return
    zone = ctx.config.service.zone
    for day in send_days(window, zone, settings.at):
        if day.isoweekday() != settings.weekday:
            continue
        base = at(day, settings.at, zone)
        for recipient, items in _by_recipient(ctx, day):
            key = f"{TOPIC}:{day.isoformat()}:{recipient.key}"
            message = PlannedMessage.at(key, settings.template, recipient, base, base + dt.timedelta(days=2),
                                        _digest(day, items), TOPIC)
            if message.due_at in window:
                yield message


def _by_recipient(ctx: PlanContext, day: dt.date) -> list[tuple[Recipient, list[dict[str, Any]]]]:
    found: dict[str, tuple[Recipient, list[dict[str, Any]]]] = {}
    audiences = Audiences(ctx.directory)
    everyone = unique(
        r for group in ctx.config.hazards.digest.groups for r in audiences.group(group)
    )
    for hazard in queries.overdue(ctx.session, day):
        item = _item(ctx, hazard, day)
        for recipient in unique([*everyone, *audiences.supervisors(hazard.enterprise)]):
            found.setdefault(recipient.key, (recipient, []))[1].append(item)
    return list(found.values())


def _item(ctx: PlanContext, hazard: Hazard, day: dt.date) -> dict[str, Any]:
    assert hazard.deadline is not None
    settings = ctx.config.hazards
    policy = settings.major if hazard.level == HazardLevel.MAJOR.value else settings.general
    step = reached(policy, hazard.deadline, ctx.calendar, day) if policy.steps else None
    return {
        "enterprise": hazard.enterprise.name,
        "code": hazard.code,
        "title": hazard.title,
        "level": hazard.level,
        "level_label": hazard.level_enum.label,
        "deadline": hazard.deadline.isoformat(),
        "days_overdue": (day - hazard.deadline).days,
        "step": step.label if step else "",
        "listed": bool(hazard.listed_by or hazard.listing_notice),
    }


def _digest(day: dt.date, items: list[dict[str, Any]]) -> dict[str, Any]:
    enterprises: dict[str, list[dict[str, Any]]] = {}
    for item in sorted(items, key=lambda i: (i["enterprise"], -i["days_overdue"], i["code"])):
        enterprises.setdefault(item["enterprise"], []).append(item)
    return {
        "day": day.isoformat(),
        "total": len(items),
        "major": sum(i["level"] == HazardLevel.MAJOR.value for i in items),
        "enterprises": [
            {"name": name, "hazards": hazards} for name, hazards in enterprises.items()
        ],
    }
