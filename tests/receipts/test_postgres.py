"""On PostgreSQL: two answers to one task at the same moment record one receipt."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.receipts.models import Entry, Receipt
from scheduler.receipts.policy import Ask
from scheduler.receipts.store import Answer, record
from tests.receipts.helpers import receipts_project
from tests.support.clock import ManualClock, local
from tests.support.project import make_app

pytestmark = pytest.mark.postgres


def test_two_answers_at_once_record_one_receipt(tmp_path: Path, clock: ManualClock, pg_url: str) -> None:
    from sqlalchemy import func, select

    config = receipts_project(tmp_path / "pg")
    config.write_text(config.read_text(encoding="utf-8").replace("sqlite:///var/safeduty.db", pg_url),
                      encoding="utf-8")
    app: App = make_app(config, clock)
    ask = Ask("preholiday:2026-02-15:T-14:enterprise:E1", "preholiday/self_inspection", "preholiday:2026-02-15",
              "report", "enterprise:E1", local(2026, 2, 25, 0, 0))
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def answer(name: str) -> None:
        with app.sessions.begin() as session:
            barrier.wait(timeout=10)
            results.append(record(session, ask, "k", "enterprise:E1:principal", Answer(name, Entry.LINK),
                                  clock.now()).new)

    threads = [threading.Thread(target=answer, args=(name,)) for name in ("王建国", "李安全")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Receipt)) == 1
    app.close()
