"""Bulk rows bypass SQLAlchemy's type processing: they must store exactly what the mapped columns
would, so queries comparing datetimes and reads of JSON behave the same for every row."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime, create_engine, select, text

from scheduler.app import App
from scheduler.outbox import rows, store
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.planned import Mention
from tests.support.clock import ManualClock
from tests.support.delivery import note


@pytest.mark.parametrize("moment", [
    dt.datetime(2026, 2, 15, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    dt.datetime(2026, 7, 1, 9, 1, 35, 123456, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
])
def test_sqlite_datetimes_are_written_in_sqlalchemys_own_format(moment: dt.datetime) -> None:
    dialect = create_engine("sqlite://").dialect
    processor = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert processor is not None
    assert rows.stamper(dialect)(moment) == processor(moment.astimezone(dt.UTC).replace(tzinfo=None))


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        rows.stamper(create_engine("sqlite://").dialect)(dt.datetime(2026, 1, 1))


def test_enqueued_rows_read_back_as_the_orm_wrote_them(app: App, clock: ManualClock) -> None:
    due = clock.now() + dt.timedelta(minutes=5, microseconds=7)
    message = note("k", "console", due, mentions=[Mention("王伟", "13800000000")], context={"地点": "晋祠"})
    with app.sessions.begin() as session:
        assert store.enqueue(session, [message], clock.now()) == 1
    with app.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        stored = session.scalar(text("SELECT context FROM outbox"))
    assert row.due_at == row.next_attempt_at == due
    assert row.created_at == clock.now() and row.expires_at == message.expires_at
    assert row.status == Status.PENDING and row.attempts == 0 and not row.late and row.subject == ""
    assert row.mentions == [{"name": "王伟", "mobile": "13800000000", "open_id": ""}]
    assert row.context["地点"] == "晋祠" and "晋祠" in stored  # UTF-8, not \\u escapes


def test_a_replan_skips_known_keys_and_counts_only_new_rows(app: App, clock: ManualClock) -> None:
    first = [note(f"k{i}", "console", clock.now()) for i in range(5)]
    with app.sessions.begin() as session:
        assert store.enqueue(session, first, clock.now()) == 5
    again = [*first, note("k5", "console", clock.now()), note("k5", "console", clock.now())]
    with app.sessions.begin() as session:
        assert store.enqueue(session, again, clock.now()) == 1
        assert session.scalar(text("SELECT count(*) FROM outbox")) == 6
