"""Replicas of `safeduty run` on one fresh PostgreSQL database.

Three, started together at a moment in July, on their very first run: each plans the year
before (first_run_lookback) with the shipped reminder rules and generated enterprises, all
three at once, and they share the sending. Every key is planned once and sent once; messages
that expired in that year are recorded as expired and reported to the admins once.

Two, one of them frozen (SIGSTOP) in the middle of a round for longer than its lease, then woken.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import socket
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.outbox.models import FINAL
from tests.reliability.conftest import Figures
from tests.support.clock import ManualClock, local
from tests.support.delivery import note
from tests.support.observe import OutboxProbe, wait_until, wait_until_all
from tests.support.process import ServiceProcess
from tests.support.project import make_app
from tests.support.receivers import RecordingReceiver
from tests.support.reminders import planned, shipped_project
from tests.support.running import (
    SECRET,
    fill_outbox,
    scale,
    service_project,
    webhook_toml,
    write_enterprises,
)

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.timeout(240)]

REPLICAS = 3
FROZEN_MESSAGES = 300
ENTERPRISES = scale("ENTERPRISES", 100)
START = local(2026, 7, 14, 8, 0)  # 汛期 and the summer peak begin: many reminders are due at once
LOOKBACK = dt.timedelta(days=365)
EXTRA = '\n[delivery]\nperson_channel = "hook"\nbatch = 50\n'
SERVICE = 'first_run_lookback = "365d"\nplan_every = "1s"\ndispatch_every = "0.25s"'


def project(folder: Path, hook_url: str, database: str | None = None) -> Path:
    config = shipped_project(folder, webhook_toml("hook", hook_url) + EXTRA, database=database)
    text = config.read_text(encoding="utf-8").replace('first_run_lookback = "1d"', SERVICE)
    config.write_text(text, encoding="utf-8")
    write_enterprises(folder / "enterprises.csv", ENTERPRISES)
    return config


def expected(folder: Path, hook_url: str) -> dict[str, dt.datetime]:
    """What the planners plan for the year before START (on a SQLite copy): key -> expires_at."""
    app = make_app(project(folder, hook_url), ManualClock(START))
    try:
        return {m.key: m.expires_at for m in planned(app, START - LOOKBACK, START)}
    finally:
        app.close()


def test_three_replicas_plan_a_year_at_once_send_each_key_once_and_share_the_work(
    tmp_path: Path, pg_url: str, figures: Figures
) -> None:
    with RecordingReceiver(SECRET, check_time=False) as hook:  # the replicas' clocks are in July
        url = f"{hook.base_url}/hook"
        plan = expected(tmp_path / "expected", url)
        config = project(tmp_path / "p", url, database=pg_url)
        with OutboxProbe.of(load_config(config, environ={})) as probe:
            replicas = [ServiceProcess(config, "run", at=START) for _ in range(REPLICAS)]
            try:
                for replica in replicas:
                    replica.wait_for("start-up pass", timeout=120)
                for replica in replicas:
                    assert replica.process.poll() is None, "\n".join(replica.lines[-40:])
                due = {r.key for r in probe.rows() if r.due_at <= START}
                wait_until(lambda: all(r.status in FINAL for r in probe.rows() if r.key in due), 120,
                           "every message due at the start to be sent or expired",
                           explain=lambda: str(probe.statuses()))
                for replica in replicas:
                    assert replica.stop() == 0, "\n".join(replica.lines[-40:])
            finally:
                for replica in replicas:
                    replica.kill()
            rows = {r.key: r for r in probe.rows()}
            attempts = probe.attempts()
            digests = probe.contexts("admin/digest")

    failures = [line for replica in replicas for line in replica.lines if "Traceback" in line or "ERROR" in line]
    assert not failures, "\n".join(failures[:20])
    # Planned once: the outbox has each key the planners give for the year, and nothing else of it.
    planned_rows = {k: r for k, r in rows.items() if not k.startswith("admin:")}
    assert set(plan) <= set(planned_rows)
    valid = {k for k, expires in plan.items() if expires > START + dt.timedelta(minutes=10)}
    assert {k for k in plan if rows[k].status == "sent"} == valid
    assert {rows[k].status for k in set(plan) - valid} <= {"expired", "sent"}
    # Sent once: what the receiver got is exactly what the outbox says was sent.
    sent = {k for k, r in rows.items() if r.status == "sent"}
    assert set(hook.counts) == sent and not hook.duplicates, sorted(hook.duplicates)[:10]
    assert all(len([a for a in attempts if a.key == k]) == 1 for k in valid)
    # Shared: each replica sent some.
    workers = collections.Counter(a.worker for a in attempts if a.outcome == "sent")
    names = {f"{socket.gethostname()}:{replica.pid}" for replica in replicas}
    assert set(workers) == names, workers
    # Reported once: no expired message is in two digests to the same admin.
    per_admin: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    for _, recipient, context in digests:
        per_admin[recipient].update(context["reports"])
    twice = {recipient: [i for i, n in counter.items() if n > 1] for recipient, counter in per_admin.items()}
    assert digests and not any(twice.values()), {r: ids[:10] for r, ids in twice.items()}
    figures.record(replicas=REPLICAS, enterprises=ENTERPRISES, planned=len(plan), sent=len(sent),
                   expired=sum(r.status == "expired" for r in rows.values()),
                   sent_by_replica=sorted(workers.values()), duplicates=0)



def test_a_replica_frozen_past_its_lease_cannot_overwrite_the_replica_that_took_over(
    tmp_path: Path, pg_url: str, figures: Figures
) -> None:
    """SIGSTOP one replica in the middle of a round, past its lease: another takes its messages
    over; woken with SIGCONT, the frozen one sends nothing more of that round and its outcomes
    are refused by the fence. Each outcome is recorded before the next send, so only the message
    it had in flight (one per target) arrives twice."""
    with RecordingReceiver(SECRET) as hook:
        extra = webhook_toml("hook", f"{hook.base_url}/hook") + '\n[delivery]\nlease = "2s"\nbatch = 100\n'
        config = service_project(tmp_path / "p", extra, database=pg_url)
        now = dt.datetime.now(dt.UTC)
        keys = {f"frozen:{i:04d}" for i in range(FROZEN_MESSAGES)}
        fill_outbox(config, [note(k, "hook", now - dt.timedelta(minutes=1)) for k in sorted(keys)], now)
        frozen = ServiceProcess(config, "run")
        hook.on_delivery = lambda total: os.kill(frozen.pid, signal.SIGSTOP) if total == 30 else None
        try:
            with OutboxProbe.of(load_config(config, environ={})) as probe:
                wait_until(lambda: hook.total >= 30, 60, "30 deliveries", explain=lambda: "\n".join(frozen.lines))
                hook.on_delivery = None
                held = {r.key for r in probe.rows() if r.status == "sending"}
                with ServiceProcess(config, "run") as other:
                    wait_until_all(probe, keys, "sent", [other], 60)
                    os.kill(frozen.pid, signal.SIGCONT)
                    frozen.wait_for("claim\\(s\\) were lost", timeout=30)
                    assert frozen.stop() == 0 and other.stop() == 0
                rows = {r.key: r for r in probe.rows()}
                attempts = probe.attempts()
        finally:
            if frozen.process.poll() is None:
                os.kill(frozen.pid, signal.SIGCONT)
            frozen.kill()

    assert set(hook.counts) == keys
    assert set(hook.duplicates) <= held and hook.duplicate_deliveries() <= 1  # one target, one in flight
    assert all(r.status == "sent" and not r.claimed_by for r in rows.values())
    sent = collections.Counter(a.key for a in attempts if a.outcome == "sent")
    assert set(sent.values()) == {1}, "an outcome was recorded twice"
    frozen_worker = f"{socket.gethostname()}:{frozen.pid}"
    assert not [a for a in attempts if a.worker == frozen_worker and a.key in held]
    figures.record(messages=FROZEN_MESSAGES, claims_taken_over=len(held),
                   duplicate_deliveries=hook.duplicate_deliveries(), overwritten=0)
