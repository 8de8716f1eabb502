"""A year of `simulate` with receipts on: the reminders and escalations are there, and nobody who
has answered is reminded. And the chasers plan the same over one long window as over days."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.app import App
from scheduler.cli import main
from scheduler.cli.simulate import plan_days
from scheduler.outbox.planned import Window
from scheduler.planners import PLANNERS, PlanContext
from scheduler.receipts.models import Entry
from scheduler.receipts.policy import ask_of
from scheduler.receipts.store import Answer, record
from tests.receipts.helpers import receipts_project
from tests.rosters.conftest import generate
from tests.support.clock import ManualClock, local
from tests.support.project import make_app

YEAR = Window(local(2026, 1, 1, 0, 0), local(2027, 1, 1, 0, 0))
CHASERS = ("receipts", "receipts_duty", "receipts_zero", "receipts_hazard")
ANSWERED = ("91140100EX0000001A", "91140200EX0000002B")  # they confirm 春节's and 国庆's T-14 in advance


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return receipts_project(tmp_path / "project")


@pytest.fixture
def app(project: Path, clock: ManualClock) -> Iterator[App]:
    application = make_app(project, clock)
    application.service.sync_data()
    generate(application, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    yield application
    application.close()


def answer_ahead(app: App) -> None:
    """Receipts for the T-14 notices of 春节 and 国庆, taken by hand before the notices are due."""
    with app.sessions() as session:
        ctx = app.service.context(session)
        found = [m for m in PLANNERS["preholiday"](ctx, YEAR) if m.kind == "preholiday/self_inspection"
                 and m.topic in ("preholiday:2026-02-15", "preholiday:2026-10-01")
                 and m.recipient.key.split(":")[1] in ANSWERED]
    with app.sessions.begin() as session:
        for m in found:
            ask = ask_of(app.config, m.key, m.kind, m.recipient.key, m.topic, m.context, m.due_at)
            assert ask is not None
            record(session, ask, m.key, m.recipient.key, Answer("电话确认", Entry.HAND), app.clock.now())


def test_a_years_simulation_shows_the_chasing_and_no_reminder_after_a_receipt(app: App, project: Path) -> None:
    answer_ahead(app)
    result = CliRunner().invoke(main, ["--config", str(project), "simulate", "--from", "2026-01-01", "--to",
                                       "2026-12-31", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = {m["kind"] for m in messages}
    assert kinds >= {"receipts/preholiday_reminder", "receipts/preholiday_list", "receipts/meeting_unconfirmed",
                     "receipts/key_period_list", "receipts/shift_unconfirmed", "zero_report/request",
                     "zero_report/reminder", "zero_report/missing", "zero_report/summary", "handover/missing"}
    assert not any(m["subject"].startswith("!!") for m in messages)
    reminded = {(m["topic"].split(":T-14:")[0], m["recipient_key"].split(":")[1])
                for m in messages if m["kind"] == "receipts/preholiday_reminder"}
    for topic in ("receipt:preholiday:2026-02-15", "receipt:preholiday:2026-10-01"):
        assert not {code for t, code in reminded if t == topic} & set(ANSWERED)
        assert {code for t, code in reminded if t == topic}  # the others are reminded
    # Other holidays nobody answered: both are reminded there.
    assert {code for t, code in reminded if t == "receipt:preholiday:2026-05-01"} >= set(ANSWERED)


def test_the_chasers_plan_the_same_over_one_window_as_over_days(app: App) -> None:
    @contextmanager
    def context() -> Iterator[PlanContext]:
        with app.sessions() as session:
            yield app.service.context(session)

    chasers = {name: PLANNERS[name] for name in CHASERS}
    quarter = Window(local(2026, 1, 1, 0, 0), local(2026, 3, 1, 0, 0))
    whole = plan_days(chasers, context, quarter, step=quarter.end - quarter.start)
    daily = plan_days(chasers, context, quarter, step=dt.timedelta(days=1))
    hourly_day = Window(local(2026, 2, 16, 0, 0), local(2026, 2, 17, 0, 0))
    hourly = plan_days(chasers, context, hourly_day, step=dt.timedelta(minutes=7))
    assert len(whole) > 100 and len({m.key for m in daily}) == len(daily)
    assert daily == whole
    assert hourly == [m for m in whole if m.due_at in hourly_day]
