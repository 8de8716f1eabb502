"""Back up a running service's SQLite database mid-dispatch, lose the server, restore the backup
into a new service: nothing is lost, and only what the backup did not record as sent, and had
already reached the receiver, arrives again (each copy with its webhook-id).

Two backups are taken from a real `safeduty run` sending 3,000 webhooks to a local receiver: one
while it sends at full speed (it must not be held up, and the file must be whole), and one from
inside a delivery (the receiver runs `safeduty db backup` before answering), after which the
service is SIGKILLed: the disaster strikes right after the last backup.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scheduler.config import load_config
from tests.support.delivery import note
from tests.support.observe import OutboxProbe, wait_until, wait_until_all
from tests.support.process import ServiceProcess
from tests.support.project import ROOT
from tests.support.receivers import RecordingReceiver
from tests.support.running import SECRET, fill_outbox, service_project, webhook_toml

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(240)]

MESSAGES = 3000  # enough that the service is still sending when the second backup is due
BATCH = 20
DELIVERY = f'\n[delivery]\nlease = "3s"\nbatch = {BATCH}\n'


def safeduty(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scheduler", "--config", str(config), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def keys_by_status(path: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = collections.defaultdict(set)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for key, status in db.execute("SELECT key, status FROM outbox WHERE key LIKE 'b:%'"):
            found[status].add(key)
    return found


def test_a_backup_taken_mid_dispatch_restores_into_a_service_that_finishes_losing_nothing(tmp_path: Path) -> None:
    with RecordingReceiver(SECRET) as hook:
        config = service_project(tmp_path / "p", webhook_toml("hook", f"{hook.base_url}/hook") + DELIVERY)
        now = dt.datetime.now(dt.UTC)
        keys = {f"b:{i:04d}" for i in range(MESSAGES)}
        fill_outbox(config, [note(k, "hook", now - dt.timedelta(minutes=1)) for k in sorted(keys)], now)
        online, last = tmp_path / "online.db", tmp_path / "last.db"
        taken: dict[str, object] = {}
        service = ServiceProcess(config, "run")
        crash_at = MESSAGES
        once = threading.Lock()

        def back_up_then_crash(total: int) -> None:
            if total >= crash_at and once.acquire(blocking=False):
                taken["last"] = safeduty(config, "db", "backup", str(last))  # the sender waits for our answer
                taken["before_kill"] = collections.Counter(hook.counts)
                os.kill(service.pid, signal.SIGKILL)

        try:
            with OutboxProbe.of(load_config(config, environ={})) as probe:
                wait_until(lambda: hook.total >= 100, 60, "100 deliveries", explain=lambda: "\n".join(service.lines))
                at_start = hook.total
                watched: list[subprocess.CompletedProcess[str]] = []
                watcher = threading.Thread(target=lambda: watched.append(safeduty(config, "status")))
                watcher.start()  # `status` reads beside the service and the backup
                result = safeduty(config, "db", "backup", str(online))  # while it sends at full speed
                watcher.join(60)
                assert result.returncode == 0, result.stderr
                assert hook.total > at_start, "the service was held up by the backup"
                sent_online = keys_by_status(online)["sent"]
                assert 100 <= len(sent_online) <= hook.total
                assert watched and watched[0].returncode in (0, 1), watched
                crash_at = hook.total + 1
                assert crash_at < MESSAGES - 100, f"{hook.total} delivered already: raise MESSAGES"
                hook.on_delivery = back_up_then_crash
                wait_until(lambda: service.process.poll() is not None, 60, "the crash after the last backup",
                           explain=lambda: "\n".join(service.lines[-20:]))
                hook.on_delivery = None
                assert service.process.returncode == -signal.SIGKILL
                backup = taken["last"]
                assert isinstance(backup, subprocess.CompletedProcess) and backup.returncode == 0, backup
                before_kill: collections.Counter[str] = taken["before_kill"]  # type: ignore[assignment]

                restored = safeduty(config, "db", "restore", str(last))
                assert restored.returncode == 0, restored.stderr
                state = keys_by_status(tmp_path / "p" / "var" / "safeduty.db")
                in_flight = state["sending"]
                at_restore = collections.Counter(hook.counts)
                with ServiceProcess(config, "run") as again:
                    wait_until_all(probe, keys, "sent", [again], 120, prefix="b:")
                    assert again.stop() == 0
        finally:
            service.kill()

    assert set(hook.counts) >= keys, f"lost: {sorted(keys - set(hook.counts))[:10]}"
    after = hook.counts - at_restore
    assert not set(after) & state["sent"], "a message the backup recorded as sent went out again"
    # What may arrive twice: what had reached the receiver by the crash and the backup had not
    # recorded as sent (the round in flight: claimed, sent, its outcome not yet written).
    allowed = {k for k in before_kill if k not in state["sent"]}
    repeated = {k for k, n in hook.counts.items() if n > 1}
    assert repeated <= allowed, sorted(repeated - allowed)[:10]
    assert max(hook.counts.values()) <= 2
    assert len(allowed) <= BATCH and allowed <= in_flight | state["pending"] | state["failed"]
    assert not hook.rejected
    print(f"backup/restore: {len(sent_online)} sent in the online backup; last backup at {crash_at} deliveries: "
          f"{len(state['sent'])} recorded sent, {len(in_flight)} in flight; after the restore "
          f"{sum(after.values())} delivered, {len(repeated)} repeated (allowed {len(allowed)} ≤ batch {BATCH}), 0 lost")


