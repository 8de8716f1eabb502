from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from scheduler.app import App
from scheduler.cli import main
from scheduler.cli.simulate import plan_days
from scheduler.outbox.models import OutboxMessage
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.planners import PLANNERS, PlanContext
from tests.support.clock import ManualClock, local
from tests.support.project import make_app
from tests.support.reminders import shipped_project

YEAR_2026 = Window(local(2026, 1, 1, 0, 0), local(2027, 1, 1, 0, 0))


@pytest.fixture
def shipped_config(tmp_path: Path) -> Path:
    return shipped_project(tmp_path / "project")


@pytest.fixture
def shipped(shipped_config: Path, clock: ManualClock) -> Iterator[App]:
    application = make_app(shipped_config, clock)
    application.service.sync_data()
    yield application
    application.close()


def plan(app: App, window: Window, step: dt.timedelta) -> list[PlannedMessage]:
    @contextmanager
    def context() -> Iterator[PlanContext]:
        with app.sessions() as session:
            yield app.service.context(session)

    return plan_days(PLANNERS, context, window, step=step)


def simulate(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(config), "simulate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_one_year_long_window_plans_exactly_what_365_one_day_windows_plan(shipped: App) -> None:
    whole = plan(shipped, YEAR_2026, YEAR_2026.end - YEAR_2026.start)
    daily = plan(shipped, YEAR_2026, dt.timedelta(days=1))
    assert len(whole) > 1000
    assert len({m.key for m in daily}) == len(daily)  # nothing planned twice
    assert daily == whole
    assert {m.kind.split("/")[0] for m in whole} >= {"preholiday", "key_period", "calendar"}


def test_minute_windows_around_send_times_plan_the_same_as_one_window(shipped: App) -> None:
    # 24 September 2026: 中秋 T-1, 国庆 T-7 and key-period reminders, all near 09:00 and 15:00.
    day = Window(local(2026, 9, 24, 0, 0), local(2026, 9, 25, 0, 0))
    assert plan(shipped, day, dt.timedelta(minutes=1)) == plan(shipped, day, dt.timedelta(days=1))


def test_simulate_jsonl_lists_every_message_with_its_rendered_subject(shipped_config: Path) -> None:
    code, out, err = simulate(shipped_config, "--from", "2026-01-01", "--to", "2026-12-31", "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) > 1000
    assert {"key", "kind", "due_at", "recipient", "channel", "subject"} <= set(rows[0])
    assert all(dt.datetime.fromisoformat(r["due_at"]).utcoffset() == dt.timedelta(hours=8) for r in rows)
    assert [r["due_at"] for r in rows] == sorted(r["due_at"] for r in rows)
    t14 = [r for r in rows if r["key"].startswith("preholiday:2026-02-15:T-14:")]
    assert {r["due_at"][:10] for r in t14} == {"2026-01-30"}
    assert {r["subject"] for r in t14} == {"【节前自查】春节假期（2月15日起）安全自查提醒"}
    assert any(r["subject"] == "【重点时段】汛期6月1日开始" and r["due_at"].startswith("2026-05-29") for r in rows)
    assert not any(r["subject"].startswith("!!") for r in rows)
    assert "nothing was sent" in err


def test_simulate_shows_progress_for_long_windows_only(shipped_config: Path) -> None:
    _, _, long = simulate(shipped_config, "--from", "2026-01-01", "--to", "2026-03-31")
    assert "simulate: planned through 2026-01-31" in long and "planned through 2026-03-31" in long
    _, out, short = simulate(shipped_config, "--from", "2026-01-26", "--to", "2026-02-01")
    assert "planned through" not in short
    assert "【节前自查】春节假期（2月15日起）安全自查提醒" in out  # the table


def test_simulate_writes_nothing(shipped_config: Path, clock: ManualClock) -> None:
    database = shipped_config.parent / "var" / "safeduty.db"
    assert simulate(shipped_config, "--from", "2026-01-01", "--to", "2026-02-28")[0] == 0
    assert not database.exists()  # no database was created

    app = make_app(shipped_config, clock)
    try:
        app.service.run_once()  # the service has now planned and sent what fell due by 5 January
        with app.sessions() as session:
            before = session.scalar(select(func.count()).select_from(OutboxMessage))
        assert simulate(shipped_config, "--from", "2026-01-01", "--to", "2026-02-28")[0] == 0
        with app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(OutboxMessage)) == before
    finally:
        app.close()


def test_simulate_can_run_one_planner(shipped_config: Path) -> None:
    code, out, _ = simulate(shipped_config, "--from", "2026-12-01", "--to", "2026-12-31",
                            "--format", "jsonl", "--planner", "year_guard")
    assert code == 0
    assert {json.loads(line)["kind"] for line in out.splitlines()} <= {"calendar/year_guard"}


def test_a_reversed_window_is_refused(shipped_config: Path) -> None:
    code, _, err = simulate(shipped_config, "--from", "2026-02-01", "--to", "2026-01-01")
    assert code == 2 and "--to 2026-01-01 is before --from 2026-02-01" in err


def test_a_step_naming_a_missing_template_fails_check_and_simulate(tmp_path: Path) -> None:
    config = shipped_project(tmp_path, "")
    text = config.read_text(encoding="utf-8").replace('"preholiday/inspection"', '"preholiday/inspectoin"')
    config.write_text(text, encoding="utf-8")
    check = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert check.exit_code == 2
    assert "preholiday.steps.T-7.template: no templates for message kind 'preholiday/inspectoin'" in check.stderr
    code, out, err = simulate(config, "--from", "2026-02-01", "--to", "2026-02-10")
    assert code == 2 and "could not be rendered" in err and "!! template preholiday/inspectoin" in out


def test_simulated_subjects_are_the_subjects_the_dispatcher_sends(shipped_config: Path, clock: ManualClock) -> None:
    clock.set(local(2026, 1, 30, 9, 5))  # the 春节 T-14 reminders have just gone out
    app = make_app(shipped_config, clock)
    try:
        app.service.run_once()
        with app.sessions() as session:
            sent = {m.key: m.subject for m in session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_not(None)))}
    finally:
        app.close()
    assert len(sent) >= 14
    code, out, _ = simulate(shipped_config, "--from", "2026-01-30", "--to", "2026-01-30", "--format", "jsonl")
    simulated = {r["key"]: r["subject"] for r in map(json.loads, out.splitlines())}
    assert code == 0
    assert {k: simulated[k] for k in sent} == sent


def test_body_shows_each_message_text_as_the_recipient_reads_it(shipped_config: Path) -> None:
    code, out, err = simulate(shipped_config, "--from", "2026-01-30", "--to", "2026-01-30", "--body",
                              "--format", "jsonl", "--planner", "preholiday")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all("春节假期为2月15日（星期日）至2月23日（星期一）" in r["body"] for r in rows)
    code, table, _ = simulate(shipped_config, "--from", "2026-01-30", "--to", "2026-01-30", "--body",
                              "--planner", "preholiday")
    assert code == 0 and "    │ 春节假期为2月15日（星期日）至2月23日（星期一），共9天。" in table
    _, plain, _ = simulate(shipped_config, "--from", "2026-01-30", "--to", "2026-01-30", "--format", "jsonl",
                           "--planner", "preholiday")
    assert "body" not in json.loads(plain.splitlines()[0])  # subjects only unless asked


def test_the_table_is_written_as_it_goes_and_stays_aligned(shipped_config: Path) -> None:
    from scheduler.cli.common import display_width

    code, out, err = simulate(shipped_config, "--from", "2026-01-01", "--to", "2026-01-31")
    assert code == 0, err
    lines = out.splitlines()
    subject_at = {display_width(line[: line.index("【")]) for line in lines[2:] if "【" in line}
    assert len(lines) > 100 and len(subject_at) == 1  # every subject starts in the same column


def test_slices_come_one_at_a_time_in_due_order(shipped_config: Path, clock: ManualClock) -> None:
    from scheduler.cli.simulate import plan_slices

    app = make_app(shipped_config, clock)
    app.service.sync_data()

    @contextmanager
    def context() -> Iterator[PlanContext]:
        with app.sessions() as session:
            yield app.service.context(session)

    slices = plan_slices(PLANNERS, context, Window(local(2026, 1, 30), local(2026, 2, 2)))
    first = next(slices)  # a generator: one day is planned before the next is asked for
    assert first and all(m.due_at < local(2026, 1, 31) for m in first)
    rest = [m for found in slices for m in found]
    whole = first + rest
    assert [(m.due_at, m.key) for m in whole] == sorted((m.due_at, m.key) for m in whole)
    app.close()
