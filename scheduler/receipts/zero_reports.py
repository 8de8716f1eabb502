"""零报告: during holiday periods and the chosen key periods, each enterprise in scope and the
day's duty officer report once a day by the cut-off: 无情况, or an incident (事故/险情).

An incident starts the reporting clocks of domain.md §3.1 (条例493号): the enterprise reports
to the county-level 应急管理 department within 1 hour of the incident; each regulator passes
it up within 2 hours of receiving it. The grade (Art. 3) follows from the casualties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rosters.book import RosterBook
from scheduler.calendar import WorkCalendar
from scheduler.config.schema import Config
from scheduler.outbox.planned import Recipient
from scheduler.outbox.store import cancel_topic
from scheduler.people.directory import Directory
from scheduler.receipts.models import Entry, ZeroReport
from scheduler.receipts.store import ReceiptError

HEADINGS = ("序号", "单位", "类别", "报告类型", "报告人", "联系电话", "报告时间", "是否迟报", "事故/险情", "发生时间",
            "发生地点", "简要经过", "死亡", "重伤", "下落不明", "已采取措施", "事故等级（初判）", "备注")
WIDTHS = (6, 28, 16, 10, 10, 14, 17, 8, 10, 17, 20, 40, 6, 6, 8, 30, 14, 20)


@dataclass(frozen=True)
class Party:
    """Who reports for a day: an enterprise (through its contacts) or the duty officer."""

    key: str  # enterprise:CODE or staff:CODE
    name: str
    category: str  # the enterprise category's label, or 值班员
    recipients: tuple[Recipient, ...]


def topic(day: dt.date, party: str = "") -> str:
    return f"zero:{day.isoformat()}" + (f":{party}" if party else "")


def scope(config: Config, calendar: WorkCalendar, day: dt.date) -> str:
    """Why ``day`` needs zero reports ("春节假期", "主汛期（七下八上）"), or "" when it does not."""
    from scheduler.planners import key_periods  # the planners package imports this module

    settings = config.receipts.zero_report
    if not settings.enabled:
        return ""
    if settings.holidays:
        period = calendar.period_of(day)
        if period is not None:
            return f"{period.name}假期"
    for ident in settings.key_periods:
        period_config = config.key_periods.periods.get(ident)
        if period_config is None:
            continue
        if any(True for _ in key_periods.occurrences(calendar, period_config, day, day)):
            return period_config.name
    return ""


def parties(config: Config, directory: Directory, book: RosterBook | None, day: dt.date) -> list[Party]:
    settings = config.receipts.zero_report
    found = []
    for enterprise in directory.enterprises(settings.categories):
        recipients = tuple(directory.contacts(enterprise))
        if recipients:
            found.append(Party(f"enterprise:{enterprise.code}", enterprise.name, enterprise.category_enum.label,
                               recipients))
    if settings.duty_officer and book is not None:
        for holder in book.roster(day, day)[0].officers:
            staff = next((s for s in directory.staff if s.code == holder.code), None)
            person = directory.person(staff, config.roster.notices.personal or None) if staff else None
            if person is not None:
                found.append(Party(f"staff:{holder.code}", holder.name, "值班员", (person,)))
    return found


def of_day(session: Session, day: dt.date) -> dict[str, ZeroReport]:
    return {r.party: r for r in session.scalars(select(ZeroReport).where(ZeroReport.day == day))}


def submit(session: Session, day: dt.date, party: str, party_name: str, values: Mapping[str, Any], *,
           entry: Entry, message_key: str, entered_by: str, cutoff: dt.datetime,
           now: dt.datetime) -> tuple[ZeroReport, bool]:
    """Store one day's report; returns it and whether it changed anything. A second 无情况 is
    the first; an incident after a 无情况 (补报) turns it into an incident; nothing goes back."""
    existing = session.scalar(select(ZeroReport).where(ZeroReport.day == day, ZeroReport.party == party))
    incident = values["status"] == "incident"
    if existing is not None and (existing.status == "incident" or not incident):
        return existing, False
    report = existing or ZeroReport(day=day, party=party, party_name=party_name[:200], submitted_at=now,
                                    submitted_by=values["name"], mobile=values["mobile"], entry=entry,
                                    entered_by=entered_by[:64], message_key=message_key, late=now > cutoff,
                                    note=values.get("note", ""), status="zero", incident_kind="", what="",
                                    place="", deaths=0, injuries=0, missing=0, measures="", reported_up_by="")
    if incident:
        report.status = "incident"
        report.incident_kind, report.what, report.place = values["incident_kind"], values["what"], values["place"]
        report.occurred_at = values["occurred_at"]
        report.deaths, report.injuries, report.missing = values["deaths"], values["injuries"], values["missing"]
        report.measures, report.incident_at = values.get("measures", ""), now
        if existing is not None:
            report.note = "\n".join(n for n in (existing.note, values.get("note", "")) if n)
    session.add(report)
    session.flush()
    cancel_topic(session, topic(day, party), "zero report received")
    return report, True


def mark_reported_up(session: Session, report_id: int, by: str, now: dt.datetime) -> ZeroReport:
    """The bureau has passed the incident up (向上级报告): its reporting-clock reminders stop."""
    report = session.get(ZeroReport, report_id)
    if report is None or report.status != "incident":
        raise ReceiptError(f"没有编号为{report_id}的事故/险情报告")
    if report.reported_up_at is None:
        report.reported_up_at, report.reported_up_by = now, by[:64]
        cancel_topic(session, incident_topic(report.id), f"reported upward by {by}")
        session.flush()
    return report


def incident_topic(report_id: int) -> str:
    return f"incident:{report_id}:upward"


def grade(deaths: int, injuries: int) -> str:
    """条例493号 Art. 3, by casualties only (losses are not asked): "以上" includes the number."""
    if deaths >= 30 or injuries >= 100:
        return "特别重大"
    if deaths >= 10 or injuries >= 50:
        return "重大"
    if deaths >= 3 or injuries >= 10:
        return "较大"
    return "一般"


def incident_context(config: Config, report: ZeroReport) -> dict[str, Any]:
    clocks = config.receipts.zero_report.clocks
    assert report.incident_at is not None
    occurred = report.occurred_at or report.incident_at
    return {
        "id": report.id, "day": report.day.isoformat(), "party": report.party, "party_name": report.party_name,
        "kind_label": {"accident": "事故", "danger": "险情"}.get(report.incident_kind, "情况"),
        "what": report.what, "place": report.place, "occurred_at": occurred.isoformat(),
        "received_at": report.incident_at.isoformat(), "deaths": report.deaths, "injuries": report.injuries,
        "missing": report.missing, "measures": report.measures, "grade": grade(report.deaths, report.injuries),
        "reporter": report.submitted_by, "mobile": report.mobile,
        "enterprise_due": (occurred + clocks.enterprise).isoformat(),
        "upward_due": (report.incident_at + clocks.upward).isoformat(),
        "enterprise_hours": _span(clocks.enterprise), "upward_hours": _span(clocks.upward),
    }


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}小时" if minutes % 60 == 0 else f"{minutes}分钟"


def day_rows(expected: Sequence[Party], reports: Mapping[str, ZeroReport], config: Config) -> list[list[str | int]]:
    zone = config.service.zone

    def local(moment: dt.datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows: list[list[str | int]] = []
    names = {p.key: p for p in expected}
    keys = [p.key for p in expected] + sorted(k for k in reports if k not in names)
    for index, key in enumerate(keys, start=1):
        party, r = names.get(key), reports.get(key)
        name = party.name if party else (r.party_name if r else key)
        category = party.category if party else ""
        if r is None:
            rows.append([index, name, category, "未报告", "", "", "", "", "", "", "", "", "", "", "", "", "", ""])
            continue
        incident = r.status == "incident"
        rows.append([index, name, category, "有情况" if incident else "无情况", r.submitted_by, r.mobile,
                     local(r.submitted_at), "是" if r.late else "否",
                     {"accident": "事故", "danger": "险情"}.get(r.incident_kind, "") if incident else "",
                     local(r.occurred_at), r.place, r.what, r.deaths if incident else "",
                     r.injuries if incident else "", r.missing if incident else "", r.measures,
                     grade(r.deaths, r.injuries) if incident else "", r.note])
    return rows


@dataclass(frozen=True)
class DayView:
    """A day's 零报告 as the duty office follows it."""

    day: dt.date
    reason: str
    rows: list[tuple[Party | None, ZeroReport | None]]  # every party in scope, then reports from others
    cutoff: dt.datetime

    @property
    def reported(self) -> int:
        return sum(r is not None for _, r in self.rows)

    @property
    def incidents(self) -> list[ZeroReport]:
        return [r for _, r in self.rows if r is not None and r.status == "incident"]

    @property
    def missing(self) -> list[Party]:
        return [p for p, r in self.rows if p is not None and r is None]


def day_view(config: Config, calendar: WorkCalendar, directory: Directory, book: RosterBook | None,
             session: Session, day: dt.date) -> DayView:
    reason = scope(config, calendar, day)
    expected = parties(config, directory, book, day) if reason else []
    reports = of_day(session, day)
    rows: list[tuple[Party | None, ZeroReport | None]] = [(p, reports.get(p.key)) for p in expected]
    known = {p.key for p in expected}
    rows += [(None, r) for key, r in sorted(reports.items()) if key not in known]
    cutoff = dt.datetime.combine(day, config.receipts.zero_report.cutoff, tzinfo=config.service.zone)
    return DayView(day, reason, rows, cutoff)


def party_of_day(config: Config, directory: Directory, book: RosterBook | None, day: dt.date,
                 key: str) -> Party | None:
    return next((p for p in parties(config, directory, book, day) if p.key == key), None)


def enter_by_hand(session: Session, config: Config, party: Party, day: dt.date, raw: Mapping[str, str], *,
                  entered_by: str, now: dt.datetime) -> tuple[Any, ZeroReport | None]:
    """A report taken by phone by the duty office: validated like the link's form, marked as by hand."""
    from scheduler.receipts import (
        fields,  # fields imports nothing of ours; kept local for symmetry with taking
    )

    checked = fields.zero_report(raw, zone=config.service.zone, now=now)
    if not checked.ok:
        return checked, None
    cutoff = dt.datetime.combine(day, config.receipts.zero_report.cutoff, tzinfo=config.service.zone)
    report, _ = submit(session, day, party.key, party.name, checked.values, entry=Entry.HAND, message_key="",
                       entered_by=entered_by, cutoff=cutoff, now=now)
    return checked, report
