"""Done when: a pre-holiday cycle for the example enterprises runs end to end — the T-14 notice
sent with links, half confirm through the web, the other half get the T-5 reminder, their
supervisors get the T-2 list — around 春节 2026 and 国庆 2026, the service ticking on an
injected clock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from scheduler.app import App
from scheduler.outbox.models import OutboxMessage
from scheduler.receipts.models import Receipt
from scheduler.web import create_app
from tests.receipts.helpers import BASE_URL, rows, web_project
from tests.support.clock import SHANGHAI, ManualClock, local
from tests.support.project import make_app

D = dt.date
CYCLES = {
    # period start: (T-14 sent, T-5 reminder, T-2 list) — working days count 调休: 14 Feb 2026 is a
    # make-up Saturday; before 国庆, the 中秋 days off (25–27 Sep) are skipped.
    "春节": ("2026-02-15", D(2026, 1, 30), D(2026, 2, 10), D(2026, 2, 13)),
    "国庆": ("2026-10-01", D(2026, 9, 17), D(2026, 9, 23), D(2026, 9, 29)),
}
CONFIRMING = ["91140100EX0000001A", "91140100EX0000003C", "91140100EX0000005E", "12140000EX0000008H"]
SILENT = ["91140200EX0000002B", "91140700EX0000004D", "91140100EX0000006F", "91140800EX0000007G"]
SUPERVISORS = {  # examples/staff.csv: who oversees which categories
    "staff:S010": {"云岗峡谷风景区（示例）", "河东国际旅行社（示例）"},  # scenic areas, travel agencies
    "staff:S008": {"平遥古城网络会所（示例）", "并州大剧院（示例）"},  # internet cafés, performance venues, …
}
FORM = {"done": "yes", "found": "1", "rectified": "1", "name": "负责人", "mobile": "13900000999"}


@pytest.fixture
def service(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    app = make_app(web_project(tmp_path / "project"), clock)
    yield app
    app.close()


def tick_until(app: App, last: dt.datetime, start: dt.datetime) -> None:
    """The service's loop, one pass at 09:05 and at 17:05 of every day from ``start`` to ``last``."""
    moment = start
    while moment <= last:
        for hour in (9, 17):
            at = dt.datetime.combine(moment.date(), dt.time(hour, 5), tzinfo=SHANGHAI)
            if start <= at <= last:
                app.clock.set(at)  # type: ignore[attr-defined]
                app.service.run_once()
        moment += dt.timedelta(days=1)


def at(day: dt.date, hour: int) -> dt.datetime:
    return local(day.year, day.month, day.day, hour, 5)


def code_of(message: OutboxMessage) -> str:
    return message.recipient_key.split(":")[1]


def confirm(client: FlaskClient, message: OutboxMessage) -> int:
    path = re.search(re.escape(BASE_URL) + r"(/r/\S+)", message.body_text)[1]  # type: ignore[index]
    page = client.get(path).text
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)[1]  # type: ignore[index]
    return client.post(path, data={**FORM, "nonce": nonce}).status_code


@pytest.mark.parametrize("holiday", sorted(CYCLES))
def test_a_pre_holiday_cycle_runs_end_to_end(service: App, holiday: str) -> None:
    start, t14, t5, t2 = CYCLES[holiday]
    topic = f"preholiday:{start}"
    client = create_app(service).test_client()
    tick_until(service, at(t14, 9), at(t14 - dt.timedelta(days=1), 9))

    # T-14: every contact of every enterprise, sent, each with its own link.
    sent = [m for m in rows(service, "preholiday/self_inspection", f"{topic}:T-14:")]
    assert {code_of(m) for m in sent} == set(CONFIRMING + SILENT)
    assert all(m.status == "sent" and m.due_at.astimezone(SHANGHAI).date() == t14 for m in sent)
    assert all(BASE_URL + "/r/" in m.body_text for m in sent)

    # Half of them confirm through the web (one contact each; the other contact's link is settled too).
    for code in CONFIRMING:
        assert confirm(client, next(m for m in sent if code_of(m) == code)) == 302

    tick_until(service, at(t5, 17), at(t14, 17))
    reminders = rows(service, "receipts/preholiday_reminder", f"receipt:remind:{topic}:")
    assert {code_of(m) for m in reminders} == set(SILENT)  # no reminder after a receipt
    assert {m.due_at.astimezone(SHANGHAI).date() for m in reminders} == {t5}
    assert all(m.status == "sent" and BASE_URL + "/r/" in m.body_text for m in reminders)

    # One of the reminded answers through the reminder's link: recorded, marked late.
    late = SILENT[0]
    assert confirm(client, next(m for m in reminders if code_of(m) == late)) == 302
    tick_until(service, at(t2, 17), at(t5 + dt.timedelta(days=1), 9))
    lists = {m.recipient_key: m for m in rows(service, "receipts/preholiday_list", f"receipt:list:{topic}:")}
    listed = {key: {e["name"] for g in m.context["groups"] for e in g["enterprises"]} for key, m in lists.items()}
    assert listed == {"staff:S010": SUPERVISORS["staff:S010"] - {"云岗峡谷风景区（示例）"},
                      "staff:S008": SUPERVISORS["staff:S008"]}
    assert {m.due_at.astimezone(SHANGHAI).date() for m in lists.values()} == {t2}
    assert all(m.status == "sent" for m in lists.values())
    assert "河东国际旅行社（示例）" in lists["staff:S010"].body_text

    with service.sessions() as session:
        receipts = {r.party.split(":")[1]: r for r in session.scalars(select(Receipt).where(Receipt.topic == topic))}
    assert set(receipts) == set(CONFIRMING) | {late}
    assert receipts[late].late and not any(receipts[c].late for c in CONFIRMING)
    assert all(r.entry == "link" for r in receipts.values())
