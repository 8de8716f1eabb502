from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner, Result

from scheduler import migrate
from scheduler.app import App
from scheduler.cli import main
from scheduler.outbox.targets import DeliveryTarget
from scheduler.planners import PLANNERS
from tests.support.clock import ManualClock, local
from tests.support.delivery import delivery_app, enqueue, note
from tests.support.reminders import shipped_section

(HEAD,) = migrate.known_revisions()[1]  # this safeduty's schema revision
QUICK_LOCK = '\n[status]\nlock_wait = "0.2s"\n'


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local(2026, 6, 1, 10, 0))  # no holiday arrangement wanted yet


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    application = delivery_app(tmp_path / "p", clock, QUICK_LOCK + "\n" + shipped_section())
    application.service.run_once()
    yield application
    application.close()


def status(app: App, clock: ManualClock, *args: str) -> Result:
    with time_machine.travel(clock.now(), tick=False):
        return CliRunner().invoke(main, ["--config", str(app.loaded.path), "status", *args])


def database(app: App) -> Path:
    return app.loaded.root / "var" / "safeduty.db"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_service_that_just_planned_and_sent_is_ok_and_exits_0(app: App, clock: ManualClock) -> None:
    result = status(app, clock)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("safeduty status: OK at 2026-06-01 10:00:00 (Asia/Shanghai)")
    assert f"last planning ticks: 0s ago: all {len(PLANNERS)} planners" in result.stdout
    assert "next 5 message(s):" in result.stdout
    assert "2026-06-05 09:00  preholiday/" in result.stdout  # T-14 before 端午 (19 June)


def test_planning_ten_minutes_old_is_a_warning_and_half_an_hour_is_critical(app: App, clock: ManualClock) -> None:
    clock.advance(dt.timedelta(minutes=11))
    result = status(app, clock)
    assert result.exit_code == 1
    assert "warning  planning" in result.stdout and "oldest planner tick 11m ago" in result.stdout
    clock.advance(dt.timedelta(minutes=20))
    result = status(app, clock)
    assert result.exit_code == 2
    assert "critical  planning" in result.stdout and "31m ago" in result.stdout


def test_a_database_the_service_never_planned_in_is_critical(tmp_path: Path, clock: ManualClock) -> None:
    application = delivery_app(tmp_path / "p", clock, QUICK_LOCK)
    with application.sessions() as session:  # migrated, nothing planned
        session.close()
    result = status(application, clock)
    application.close()
    assert result.exit_code == 2
    assert "never planned: admin, duty" in result.stdout and "is `safeduty run` running?" in result.stdout


def test_a_message_waiting_past_its_time_grades_by_its_age(app: App, clock: ManualClock) -> None:
    enqueue(app, [note("late:1", "console", clock.now() - dt.timedelta(minutes=12))])
    result = status(app, clock)
    assert result.exit_code == 1
    assert "oldest due message waiting 12m" in result.stdout
    assert "1 message(s) due now, 0 being sent" in result.stdout
    enqueue(app, [note("late:2", "console", clock.now() - dt.timedelta(hours=2))])
    assert status(app, clock).exit_code == 2


def test_a_dead_message_since_yesterday_is_a_warning_until_the_day_after(app: App, clock: ManualClock) -> None:
    enqueue(app, [note("dies", "no_such_channel", clock.now())])
    app.dispatcher.dispatch_due()
    result = status(app, clock)
    assert result.exit_code == 1
    assert "warning  dead" in result.stdout and "1 message(s) dead since yesterday" in result.stdout
    clock.advance(dt.timedelta(days=1))
    app.service.run_once()
    assert "1 message(s) dead since yesterday" in status(app, clock).stdout
    clock.advance(dt.timedelta(days=1))
    app.service.run_once()
    result = status(app, clock)
    assert "0 message(s) dead since yesterday" in result.stdout and result.exit_code == 0


def test_an_unhealthy_target_is_critical_and_named_with_its_reason(app: App, clock: ManualClock) -> None:
    with app.sessions.begin() as session:
        session.add(DeliveryTarget(name="duty_bot", unhealthy_since=clock.now(), last_error="HTTP 401: bad token"))
    result = status(app, clock)
    assert result.exit_code == 2
    assert "unhealthy: duty_bot" in result.stdout
    assert "target duty_bot: unhealthy since 2026-06-01 10:00:00: HTTP 401: bad token" in result.stdout


def test_from_december_next_years_missing_holiday_arrangement_is_a_warning(tmp_path: Path) -> None:
    clock = ManualClock(local(2026, 12, 2, 10, 0))
    application = delivery_app(tmp_path / "p", clock, QUICK_LOCK)
    application.service.run_once()
    result = status(application, clock)
    application.close()
    assert result.exit_code == 1
    assert "holiday arrangement of 2027 not entered" in result.stdout


def test_json_gives_the_same_verdict_with_every_figure(app: App, clock: ManualClock) -> None:
    enqueue(app, [note("late:1", "console", clock.now() - dt.timedelta(minutes=12))])
    result = status(app, clock, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["level"] == "warning" and report["exit_code"] == 1
    assert {c["check"]: c["level"] for c in report["checks"]}["oldest_due"] == "warning"
    assert report["due_now"] == 1 and report["oldest_due_seconds"] == 720
    assert set(report["planner_ticks"]) >= {"preholiday", "duty", "admin"}
    assert report["planner_ticks"]["duty"] == "2026-06-01T10:00:00+08:00"
    assert len(report["upcoming"]) == 5 and report["upcoming"][0]["due_at"] > "2026-06-01T10:00"


def test_thresholds_come_from_the_config(tmp_path: Path, clock: ManualClock) -> None:
    application = delivery_app(tmp_path / "p", clock, '\n[status]\nlast_tick = { warning = "1m", critical = "0s" }\n')
    application.service.run_once()
    clock.advance(dt.timedelta(hours=5))
    result = status(application, clock)
    application.close()
    assert result.exit_code == 1 and "warning  planning" in result.stdout


def test_thresholds_that_contradict_each_other_are_a_config_error(tmp_path: Path) -> None:
    from tests.support.delivery import delivery_project

    config = delivery_project(tmp_path / "p", '\n[status]\nbacklog = { warning = 50, critical = 5 }\n'
                                              'oldest_due = { warn = "1m" }\n')
    result = CliRunner().invoke(main, ["--config", str(config), "status"])
    assert result.exit_code == 2
    assert "status.backlog: critical (5) is below warning (50)" in result.stderr
    assert "status.oldest_due.warn: unknown key" in result.stderr
    assert not (tmp_path / "p" / "var").exists()


def test_a_missing_database_is_critical_and_is_not_created(tmp_path: Path, clock: ManualClock) -> None:
    from tests.support.delivery import delivery_project

    config = delivery_project(tmp_path / "p", QUICK_LOCK)
    result = CliRunner().invoke(main, ["--config", str(config), "status"])
    assert result.exit_code == 2
    assert f"error: database {tmp_path / 'p' / 'var' / 'safeduty.db'} does not exist" in result.stderr
    assert not (tmp_path / "p" / "var").exists()


@pytest.mark.parametrize("damage, said", [
    (lambda path: path.write_bytes(b"this is not a database\n" * 100), "is not a SQLite database"),
    (lambda path: path.write_bytes(b""), "is empty"),
    (lambda path: path.write_bytes(path.read_bytes()[:100] + b"\xff" * (path.stat().st_size - 100)), "corrupt"),
])
def test_a_corrupt_database_is_critical_and_left_as_it_is(app: App, clock: ManualClock, damage, said) -> None:
    path = database(app)
    app.close()
    damage(path)
    before = digest(path)
    result = status(app, clock)
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "Traceback" not in result.output
    assert digest(path) == before


def test_a_locked_database_is_critical_after_the_configured_wait(app: App, clock: ManualClock) -> None:
    app.close()
    holder = sqlite3.connect(database(app), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM planner_tick WHERE 0")
    try:
        result = status(app, clock)
    finally:
        holder.close()
    assert result.exit_code == 2
    assert "is locked by another process" in result.stderr


@pytest.mark.parametrize("revision, said", [
    ("0099", "is newer than this safeduty"),
    ("0004", f"is older than this safeduty's ({HEAD}): run `safeduty db upgrade`"),
])
def test_a_database_of_another_schema_version_is_critical_and_left_as_it_is(
        app: App, clock: ManualClock, revision: str, said: str) -> None:
    app.close()
    with sqlite3.connect(database(app)) as db:
        db.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    before = digest(database(app))
    result = status(app, clock, "--format", "json")
    assert result.exit_code == 2
    assert said in result.stderr
    assert json.loads(result.stdout)["level"] == "critical" and said in json.loads(result.stdout)["error"]
    assert digest(database(app)) == before


def test_a_sqlite_file_that_is_not_safedutys_is_refused(tmp_path: Path, clock: ManualClock) -> None:
    from tests.support.delivery import delivery_project

    config = delivery_project(tmp_path / "p", QUICK_LOCK)
    (tmp_path / "p" / "var").mkdir()
    with sqlite3.connect(tmp_path / "p" / "var" / "safeduty.db") as db:
        db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    result = CliRunner().invoke(main, ["--config", str(config), "status"])
    assert result.exit_code == 2
    assert "it is not a safeduty database (it has no alembic_version table)" in result.stderr


def test_a_failing_warning_feed_is_a_warning_named_with_since_and_why(tmp_path: Path, clock: ManualClock) -> None:
    from scheduler.warnings import feed_state

    extra = QUICK_LOCK + '\n[warnings.feeds.shanxi]\nurl = "http://127.0.0.1:9/cap.xml"\nallow_private = true\n'
    application = delivery_app(tmp_path / "p", clock, extra)
    try:
        application.service.run_once()
        assert "1 warning feed(s) answering" in status(application, clock).stdout
        with application.sessions.begin() as session:
            feed_state.save(session, "shanxi", feed_state.FeedState(
                next_poll=clock.now(), failures=3, down_since=clock.now() - dt.timedelta(hours=1),
                down_kind="无法连接"), clock.now())
        result = status(application, clock)
    finally:
        application.close()
    assert result.exit_code == 1, result.output
    assert "warning feed(s) failing: shanxi since 2026-06-01 09:00 (无法连接)" in result.stdout
