"""零报告 and incidents (planners/receipts_zero.py) during 春节 2026 and 主汛期."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from scheduler.app import App
from scheduler.outbox.models import OutboxMessage
from scheduler.outbox.planned import URGENT
from scheduler.receipts import zero_reports
from scheduler.receipts.models import Entry, ZeroReport
from scheduler.receipts.taking import open_key, take
from tests.receipts.helpers import mark_sent, plan_until, rows
from tests.rosters.conftest import generate, open_book
from tests.support.clock import SHANGHAI, local

DAY = dt.date(2026, 2, 16)  # 春节初一 is the 17th; the 16th is 除夕, inside the holiday period
ZERO = {"name": "李安全", "mobile": "13900000102", "status": "zero"}
INCIDENT = {"name": "李安全", "mobile": "13900000102", "status": "incident", "incident_kind": "danger",
            "what": "玻璃栈道一块面板破裂，已封闭", "place": "玻璃栈道第3段", "occurred_at": "2026-02-16 10:40",
            "deaths": "0", "injuries": "1", "missing": "0", "measures": "封闭栈道，疏散游客"}


def requested(app: App) -> dict[str, OutboxMessage]:
    generate(app, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    plan_until(app, local(2026, 2, 16, 9, 5))
    mark_sent(app)
    found = {}
    for m in rows(app, "zero_report/request", f"zero:{DAY.isoformat()}:request:"):
        found.setdefault(m.context["receipt"]["party"], m)
    return found


def report(app: App, message: OutboxMessage, values: dict[str, str]) -> ZeroReport | None:
    with app.sessions.begin() as session:
        opened = open_key(session, app.config, message.key, app.clock.now())
        taken = take(session, app.config, opened, values, entry=Entry.LINK, now=app.clock.now())
        assert taken.checked.ok, taken.checked.errors
        return taken.zero


def officers(app: App, day: dt.date) -> tuple[set[str], set[str]]:
    with app.sessions() as session:
        row = open_book(app, session).roster(day, day)[0]
    return {f"staff:{h.code}" for h in row.leaders}, {f"staff:{h.code}" for h in row.officers}


def test_each_enterprise_and_the_duty_officer_are_asked_each_morning_of_the_holiday(shipped: App) -> None:
    parties = requested(shipped)
    _, on_duty = officers(shipped, DAY)
    assert {p for p in parties if p.startswith("enterprise:")} == {
        f"enterprise:{code}" for code in ("91140100EX0000001A", "91140200EX0000002B", "91140100EX0000003C",
                                          "91140700EX0000004D", "91140100EX0000005E", "91140100EX0000006F",
                                          "91140800EX0000007G", "12140000EX0000008H")}
    assert {p for p in parties if p.startswith("staff:")} == on_duty  # holidays have two officers
    message = parties["enterprise:91140100EX0000001A"]
    assert message.due_at.astimezone(SHANGHAI).hour == 9
    assert dt.datetime.fromisoformat(message.context["receipt"]["deadline"]) == local(2026, 2, 16, 15, 0)
    assert message.context["reason"] == "春节假期"


def test_the_reminder_the_missing_list_and_the_summary_follow_the_reports(shipped: App) -> None:
    parties = requested(shipped)
    answered = [p for p in parties if p.startswith("enterprise:")][:6]
    for party in answered:
        report(shipped, parties[party], ZERO)
    plan_until(shipped, local(2026, 2, 16, 14, 5))
    reminded = {m.context["receipt"]["party"] for m in rows(shipped, "zero_report/reminder", f"zero:{DAY}:")}
    assert reminded == set(parties) - set(answered)
    plan_until(shipped, local(2026, 2, 16, 15, 5))
    leaders, on_duty = officers(shipped, DAY)
    missing = rows(shipped, "zero_report/missing", f"zero:{DAY}:")
    assert {m.recipient_key for m in missing} == on_duty
    assert len(missing[0].context["missing"]) == len(parties) - 6
    # A late report after the cut-off is taken, and marked late.
    late = report(shipped, parties[next(p for p in parties if p not in answered)], ZERO)
    assert late is not None and late.late
    plan_until(shipped, local(2026, 2, 16, 17, 5))
    [summary] = [m for m in rows(shipped, "zero_report/summary", f"zero:{DAY}:") if m.recipient_key in leaders]
    assert (summary.context["expected"], summary.context["reported"], summary.context["late"]) == (len(parties), 7, 1)


def test_an_incident_goes_to_the_duty_leader_at_once_with_its_reporting_clocks(shipped: App) -> None:
    parties = requested(shipped)
    shipped.clock.set(local(2026, 2, 16, 11, 5))
    stored = report(shipped, parties["enterprise:91140100EX0000001A"], INCIDENT)
    assert stored is not None and stored.status == "incident" and stored.injuries == 1
    plan_until(shipped, local(2026, 2, 16, 11, 6))
    leaders, _ = officers(shipped, DAY)
    [notice] = [m for m in rows(shipped, "zero_report/incident")]
    assert notice.recipient_key in leaders and notice.priority == URGENT
    incident = notice.context["incident"]
    assert dt.datetime.fromisoformat(incident["enterprise_due"]) == local(2026, 2, 16, 11, 40)  # 1 h after it happened
    assert dt.datetime.fromisoformat(incident["upward_due"]) == local(2026, 2, 16, 13, 5)  # 2 h after we heard
    assert incident["grade"] == "一般"
    # 30 minutes before the upward clock runs out, a reminder: it has not been marked reported.
    plan_until(shipped, local(2026, 2, 16, 12, 36))
    clocks = rows(shipped, "zero_report/clock")
    _, on_duty = officers(shipped, DAY)
    assert {m.recipient_key for m in clocks} == leaders | on_duty
    assert {(m.due_at, m.priority) for m in clocks} == {(local(2026, 2, 16, 12, 35), URGENT)}


def test_marking_an_incident_reported_upward_stops_its_reminder(shipped: App) -> None:
    parties = requested(shipped)
    shipped.clock.set(local(2026, 2, 16, 11, 5))
    stored = report(shipped, parties["enterprise:91140100EX0000001A"], INCIDENT)
    assert stored is not None
    shipped.clock.set(local(2026, 2, 16, 12, 0))
    with shipped.sessions.begin() as session:
        zero_reports.mark_reported_up(session, stored.id, "韩丽萍", shipped.clock.now())
    plan_until(shipped, local(2026, 2, 16, 13, 0))
    assert rows(shipped, "zero_report/clock") == []


def test_a_zero_report_may_become_an_incident_but_never_back(shipped: App) -> None:
    parties = requested(shipped)
    message = parties["enterprise:91140100EX0000001A"]
    first = report(shipped, message, ZERO)
    shipped.clock.set(local(2026, 2, 16, 11, 5))
    upgraded = report(shipped, message, INCIDENT)
    again = report(shipped, message, ZERO)
    assert first is not None and upgraded is not None and again is not None
    assert first.id == upgraded.id == again.id and again.status == "incident"
    with shipped.sessions() as session:
        assert len(session.scalars(select(ZeroReport)).all()) == 1


def test_bad_incident_fields_are_named_and_nothing_is_stored(shipped: App) -> None:
    parties = requested(shipped)
    bad = {**INCIDENT, "occurred_at": "明天", "deaths": "-1", "what": "", "mobile": "1390000"}
    with shipped.sessions.begin() as session:
        opened = open_key(session, shipped.config, parties["enterprise:91140100EX0000001A"].key, shipped.clock.now())
        taken = take(session, shipped.config, opened, bad, entry=Entry.LINK, now=shipped.clock.now())
    assert set(taken.checked.errors) == {"occurred_at", "deaths", "what", "mobile"}
    with shipped.sessions() as session:
        assert session.scalars(select(ZeroReport)).all() == []


def test_zero_reports_run_in_the_main_flood_season_and_not_on_ordinary_days(shipped: App) -> None:
    generate(shipped, dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    plan_until(shipped, local(2026, 7, 14, 9, 5))
    assert rows(shipped, "zero_report/request") == []
    plan_until(shipped, local(2026, 7, 15, 9, 5))
    requests = rows(shipped, "zero_report/request")
    assert requests and {m.context["reason"] for m in requests} == {"主汛期（七下八上）"}
    assert zero_reports.grade(3, 0) == "较大" and zero_reports.grade(0, 50) == "重大" and zero_reports.grade(30, 0) == "特别重大"
