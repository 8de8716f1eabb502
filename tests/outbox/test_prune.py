"""Retention (`[outbox] keep`, `safeduty outbox prune`): old finished messages lose their bodies
and attempts, keep their keys; waiting ones are never touched; a killed prune leaves each
message pruned or intact; a pruned key is not planned again."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select, update

from scheduler.app import App
from scheduler.cli import main
from scheduler.outbox import prune as retention
from scheduler.outbox.models import DeliveryAttempt, OutboxMessage, Status
from tests.support.clock import ManualClock, local
from tests.support.delivery import delivery_app, enqueue, note, outbox
from tests.support.observe import wait_until

KEEP = dt.timedelta(days=400)
LONG_AGO = local(2024, 6, 1, 9, 0)  # more than 400 days before the clock's 2026-01-05


def _finish(app: App, keys: list[str], status: Status, *, reported: bool = True, attempts: int = 2) -> None:
    """Give ``keys`` what a delivery leaves: bodies, attempts, a final status."""
    with app.sessions.begin() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.key.in_(keys))).all()
        for row in rows:
            row.status = status
            row.reported = reported
            row.subject, row.body_text, row.body_html, row.body_markdown = "主题", "正文", "<p>正文</p>", "**正文**"
            if status == Status.SENT:
                row.sent_at = row.due_at
        session.flush()
        session.execute(insert(DeliveryAttempt), [
            {"message_id": row.id, "number": n, "worker": "w", "started_at": row.due_at,
             "finished_at": row.due_at, "outcome": "sent", "detail": "200"}
            for row in rows for n in range(1, attempts + 1)])


def _attempt_count(app: App, key: str) -> int:
    with app.sessions() as session:
        return len(session.scalars(select(DeliveryAttempt.id).join(
            OutboxMessage, OutboxMessage.id == DeliveryAttempt.message_id).where(OutboxMessage.key == key)).all())


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> App:
    application = delivery_app(tmp_path / "p", clock)
    yield application  # type: ignore[misc]
    application.close()


def test_old_finished_messages_lose_bodies_and_attempts_and_keep_their_rows(app: App) -> None:
    enqueue(app, [note("old:sent", "console", LONG_AGO), note("old:cancelled", "console", LONG_AGO),
                  note("new:sent", "console", app.clock.now() - dt.timedelta(days=30))])
    _finish(app, ["old:sent", "new:sent"], Status.SENT)
    _finish(app, ["old:cancelled"], Status.CANCELLED)

    done = retention.prune(app.sessions, app.clock.now(), KEEP, batch=1)

    rows = outbox(app)
    assert (done.messages, done.attempts) == (2, 4)
    for key in ("old:sent", "old:cancelled"):
        row = rows[key]
        assert (row.body_text, row.body_html, row.body_markdown, row.context) == ("", "", "", {})
        assert row.subject == "主题" and row.recipient_name == "值班组"  # who was told what, when
        assert _attempt_count(app, key) == 0
    assert rows["old:sent"].status == Status.SENT and rows["old:sent"].sent_at is not None
    assert rows["new:sent"].body_text == "正文" and _attempt_count(app, "new:sent") == 2


def test_waiting_and_sending_messages_are_never_pruned(app: App) -> None:
    keys = {"p": Status.PENDING, "f": Status.FAILED, "s": Status.SENDING}
    enqueue(app, [note(k, "console", LONG_AGO) for k in keys])
    for key, status in keys.items():
        _finish(app, [key], status)

    with app.sessions() as session:
        assert retention.prunable(session, app.clock.now(), KEEP).messages == 0
    assert retention.prune(app.sessions, app.clock.now(), KEEP).messages == 0
    for key in keys:
        assert outbox(app)[key].body_text == "正文" and _attempt_count(app, key) == 2


def test_dead_messages_keep_their_context_and_wait_until_reported(app: App) -> None:
    enqueue(app, [note("dead:told", "console", LONG_AGO), note("dead:untold", "console", LONG_AGO)])
    _finish(app, ["dead:told"], Status.DEAD, reported=True)
    _finish(app, ["dead:untold"], Status.DEAD, reported=False)

    retention.prune(app.sessions, app.clock.now(), KEEP)

    rows = outbox(app)
    assert rows["dead:told"].body_text == "" and rows["dead:told"].context["text"]  # can still be retried
    assert rows["dead:untold"].body_text == "正文" and _attempt_count(app, "dead:untold") == 2


def test_dry_run_counts_and_changes_nothing_then_prune_clears(app: App) -> None:
    enqueue(app, [note(f"old:{i}", "console", LONG_AGO) for i in range(3)])
    _finish(app, [f"old:{i}" for i in range(3)], Status.SENT)
    config = str(app.loaded.path)
    runner = CliRunner()
    # The CLI reads the real clock: 2026-12 or later is > 400 days after 2024-06.
    dry = runner.invoke(main, ["--config", config, "outbox", "prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would prune 3 message(s) and 6 delivery attempt(s)" in dry.output
    assert outbox(app)["old:0"].body_text == "正文"
    done = runner.invoke(main, ["--config", config, "outbox", "prune"])
    assert done.exit_code == 0, done.output
    assert "pruned 3 message(s) and 6 delivery attempt(s)" in done.output
    assert outbox(app)["old:0"].body_text == ""
    again = runner.invoke(main, ["--config", config, "outbox", "prune", "--dry-run"])
    assert "would prune 0 message(s)" in again.output


def test_a_pruned_key_is_not_planned_again_after_a_restart_with_a_long_look_back(
        tmp_path: Path, clock: ManualClock) -> None:
    from scheduler.outbox.planned import Window
    from scheduler.planning import plan_window
    from tests.support.project import make_app
    from tests.support.reminders import shipped_project

    config = shipped_project(tmp_path / "s")
    clock.set(local(2026, 1, 5, 9, 0))
    first = make_app(config, clock)
    first.service.sync_data()
    window = Window(local(2026, 1, 5, 9, 0), local(2026, 3, 1, 0, 0))  # 春节 2026's reminders
    with first.sessions.begin() as session:
        ctx = first.service.context(session)
        planned = sum(plan_window(session, name, planner, ctx, window, clock.now()).created
                      for name, planner in first.service.planners.items())
    assert planned > 0
    with first.sessions.begin() as session:
        session.execute(update(OutboxMessage).values(status=Status.SENT, sent_at=OutboxMessage.due_at,
                                                     body_text="正文", reported=True))
        before = {r.key: r.id for r in session.execute(select(OutboxMessage.key, OutboxMessage.id))}
    first.close()

    clock.set(local(2027, 6, 1, 9, 0))  # > 400 days on: everything is pruned
    second = make_app(config, clock)  # a restart
    assert retention.prune(second.sessions, clock.now(), KEEP).messages == len(before)
    second.service.sync_data()
    long_look_back = Window(clock.now() - dt.timedelta(days=600), window.end)
    with second.sessions.begin() as session:
        ctx = second.service.context(session)
        again = sum(plan_window(session, name, planner, ctx, long_look_back, clock.now()).created
                    for name, planner in second.service.planners.items()
                    # these two plan from today's state: the unannounced 2027, today's digest
                    if name not in ("year_guard", "admin"))
        after = {r.key: r.id for r in session.execute(select(OutboxMessage.key, OutboxMessage.id)
                                                       .where(OutboxMessage.key.in_(list(before))))}
        # New keys the long look-back found before the first window (2025's reminders) are fine;
        # none may fall in the window that was planned, sent and pruned.
        replanned = list(session.scalars(select(OutboxMessage.key).where(
            OutboxMessage.key.not_in(list(before)), OutboxMessage.due_at > window.start)))
        body = session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.key.in_(list(before))).limit(1))
    second.close()
    assert after == before and body == ""  # the same rows, pruned, none planned anew
    assert again > 0 and replanned == []


KILLED_PRUNE = """
import datetime as dt, sys
from scheduler.db import make_engine, make_sessions
from scheduler.outbox import prune
sessions = make_sessions(make_engine(sys.argv[1]))
print("started", flush=True)
prune.prune(sessions, dt.datetime(2026, 1, 5, tzinfo=dt.UTC), dt.timedelta(days=400), batch=1)
"""


def test_a_prune_killed_midway_leaves_each_message_pruned_or_intact(app: App, tmp_path: Path) -> None:
    count = 6000
    enqueue(app, [note(f"old:{i}", "console", LONG_AGO) for i in range(count)])
    _finish(app, [f"old:{i}" for i in range(count)], Status.SENT, attempts=1)
    url = app.loaded.database_url
    path = url.split(":///", 1)[1]

    def pruned() -> int:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM outbox WHERE body_text = ''").fetchone()[0]

    child = subprocess.Popen([sys.executable, "-c", KILLED_PRUNE, url], stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    try:
        wait_until(lambda: pruned() >= 50, timeout=60, what="the prune to get going")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        child.kill()
    at_kill = pruned()
    assert 0 < at_kill < count, "the prune was killed midway"

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        torn = db.execute("""SELECT count(*) FROM outbox o
                             WHERE (o.body_text = '') != (o.context = '{}' AND o.notice_id IS NULL)
                             OR (o.body_text = '') = EXISTS (SELECT 1 FROM delivery_attempt a
                                                             WHERE a.message_id = o.id)""").fetchone()[0]
    assert torn == 0  # every message: bodies, context and attempts gone together, or all there
    finish = retention.prune(app.sessions, app.clock.now(), KEEP)
    assert finish.messages == count - at_kill and pruned() == count


def test_the_daily_pass_prunes_in_batches_and_skips_what_is_already_pruned(app: App) -> None:
    count = 25
    enqueue(app, [note(f"old:{i}", "console", LONG_AGO) for i in range(count)]
            + [note("new", "console", local(2026, 1, 4, 9, 0))])
    _finish(app, [f"old:{i}" for i in range(count)] + ["new"], Status.SENT)
    object.__setattr__(app.config, "outbox", replace(app.config.outbox, prune_batch=10))
    daily = retention.daily(app.sessions, app.clock, app.config.outbox)
    done = daily()
    assert (done.messages, done.attempts, done.batches) == (count, 2 * count, 3)
    assert done.cutoff == app.clock.now() - KEEP
    assert _attempt_count(app, "new") == 2
    again = daily()
    # Nothing left to clear: one look-up, no transaction that writes.
    assert (again.messages, again.batches) == (0, 0)
