"""Catch-up after downtime, at the service level: the service plans the window since its last
completed tick; what is still valid goes out once, marked late; what expired is recorded so."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.app import App
from scheduler.outbox.models import OutboxMessage, Status
from tests.support.clock import ManualClock, local
from tests.support.project import make_app
from tests.support.reminders import shipped_project

T14 = "preholiday:2026-02-15:T-14:"  # 春节 2026: T-14 is sent Friday 30 January at 09:00
ENTERPRISE_CONTACTS = 14


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def service(request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    database = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    clock.set(local(2026, 1, 29, 12, 0))
    application = make_app(shipped_project(tmp_path / "project", database=database), clock)
    application.service.run_once()  # running on Thursday; then it stops
    yield application
    application.close()


def rows(app: App, prefix: str) -> list[OutboxMessage]:
    with app.sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.key.startswith(prefix))))


def console_keys(app: App) -> list[str]:
    path = app.loaded.resolve("var/console.jsonl")
    if not path.exists():
        return []
    return [json.loads(line)["key"] for line in path.read_text(encoding="utf-8").splitlines()]


def restart_at(app: App, clock: ManualClock, moment: dt.datetime) -> None:
    clock.set(moment)
    app.service.plan_due()
    app.dispatcher.dispatch_due()


def test_nothing_of_t14_is_planned_before_its_send_time(service: App) -> None:
    assert rows(service, T14) == []


def test_started_after_the_send_time_the_reminder_goes_out_once_marked_late(service: App, clock: ManualClock) -> None:
    restart_at(service, clock, local(2026, 1, 30, 15, 0))  # six hours after 09:00
    sent = rows(service, T14)
    assert len(sent) == ENTERPRISE_CONTACTS
    assert {r.status for r in sent} == {Status.SENT}
    assert all(r.late for r in sent)
    assert all("延迟发送" in r.body_text for r in sent)  # the message says it is late

    restart_at(service, clock, local(2026, 1, 30, 15, 5))  # later ticks add and send nothing
    restart_at(service, clock, local(2026, 1, 31, 9, 0))
    assert len(rows(service, T14)) == ENTERPRISE_CONTACTS
    delivered = [k for k in console_keys(service) if k.startswith(T14)]
    assert sorted(delivered) == sorted(r.key for r in sent)  # each exactly once


def test_started_after_the_holiday_began_the_reminders_are_expired_not_sent(service: App, clock: ManualClock) -> None:
    restart_at(service, clock, local(2026, 2, 16, 10, 0))  # 春节 began on the 15th
    missed = rows(service, "preholiday:2026-02-15:")
    steps = {r.key.split(":")[2] for r in missed}
    assert steps == {"T-14", "T-10", "T-7", "T-1"}
    assert {r.status for r in missed} == {Status.EXPIRED}
    assert all(r.sent_at is None and r.attempts == 0 for r in missed)
    assert not [k for k in console_keys(service) if k.startswith("preholiday:2026-02-15:")]


def test_a_reminder_on_time_is_not_marked_late(service: App, clock: ManualClock) -> None:
    restart_at(service, clock, local(2026, 1, 30, 9, 0))
    restart_at(service, clock, local(2026, 1, 30, 9, 2))
    sent = rows(service, T14)
    assert len(sent) == ENTERPRISE_CONTACTS
    assert {r.status for r in sent} == {Status.SENT}
    assert not any(r.late for r in sent)
