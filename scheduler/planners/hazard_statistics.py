"""The recurring statistics duty (16号令 Art. 14): enterprises file the quarterly hazard
statistics table (隐患排查治理统计分析表, signed by the 主要负责人) by the 15th of the month after
each quarter, and the annual one by 31 January. Reminders go out the configured number of
working days before each due date (working days counted with 调休).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from scheduler.hazards.audience import Audiences
from scheduler.hazards.timing import ONE_DAY, at, send_days
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.planners.base import PlanContext

_QUARTERS = "一二三四"


@dataclass(frozen=True)
class Filing:
    key: str  # e.g. 2026Q1, 2025Y
    period: str  # as messages name it
    annual: bool
    due: dt.date


def filings_due_in(year: int) -> list[Filing]:
    """Every statistics filing whose due date lies in ``year``."""
    last = year - 1
    found = [
        Filing(f"{last}Q4", f"{last}年第四季度", False, dt.date(year, 1, 15)),
        Filing(f"{last}Y", f"{last}年度", True, dt.date(year, 1, 31)),
    ]
    for quarter, month in ((1, 4), (2, 7), (3, 10)):
        found.append(
            Filing(
                f"{year}Q{quarter}",
                f"{year}年第{_QUARTERS[quarter - 1]}季度",
                False,
                dt.date(year, month, 15),
            )
        )
    return found


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    settings = ctx.config.hazards.statistics
    zone, send_at = ctx.config.service.zone, ctx.config.hazards.send_at
    days = set(send_days(window, zone, send_at))
    if not settings.enabled or not days:
        return
    years = {d.year for d in days} | {d.year + 1 for d in days}
    reminders = [
        (filing, ahead, day)
        for year in sorted(years)
        for filing in filings_due_in(year)
        for ahead in settings.remind_working_days
        if (day := ctx.calendar.working_days_before(filing.due, ahead)) in days
    ]
    if not reminders:
        return
    enterprises, audiences = ctx.directory.enterprises(), Audiences(ctx.directory)
    for filing, ahead, day in reminders:
        base = at(day, send_at, zone)
        expires = at(filing.due + ONE_DAY, dt.time(0), zone)  # no use once the due day is over
        context = {
            "period": filing.period,
            "annual": filing.annual,
            "due": filing.due.isoformat(),
            "working_days_left": ahead,
        }
        topic = f"hazard-statistics:{filing.key}"
        for enterprise in enterprises:
            for recipient in audiences.recipients(settings.audience, enterprise):
                key = f"{topic}:wd{ahead}:{recipient.key}"
                message = PlannedMessage.at(key, settings.template, recipient, base, expires,
                                            {**context, "enterprise": enterprise.name}, topic)
                if message.due_at in window:
                    yield message
