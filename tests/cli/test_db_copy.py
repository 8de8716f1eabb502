"""`safeduty db copy --to postgresql://…`: a SQLite database moved, every table and row, into the
machine's PostgreSQL (a fresh database per test), which the service then runs on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, MetaData, create_engine, select, text

from scheduler import migrate
from scheduler.app import App
from scheduler.cli import main
from scheduler.db import make_engine
from scheduler.dbcopy import NOT_COPIED  # (the schema's bookkeeping: alembic_version, web_version)
from scheduler.lock import InstanceLock
from scheduler.models import metadata
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, enqueue, note, outbox
from tests.support.project import make_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    """A database with something in every kind of column: people, sent and dead messages with
    their attempts (datetimes, JSON, booleans), planner ticks, delivery targets, a roster."""
    application = delivery_app(tmp_path / "p", clock)
    application.service.run_once()
    enqueue(application, [note(f"n:{i}", "console", clock.now(), context={"list": [1, "二"]}) for i in range(30)]
            + [note("dies", "no_such_channel", clock.now())])
    application.dispatcher.dispatch_due()
    result = CliRunner().invoke(main, ["--config", str(application.loaded.path), "roster", "generate",
                                       "--from", "2026-01-05", "--to", "2026-01-31", "--past"])
    assert result.exit_code == 0, result.output
    yield application
    application.close()


def copy(app: App, target: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(app.loaded.path), "db", "copy", "--to", target])


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every safeduty table, in key order, as the models read them."""
    with engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns)))]
                for table in metadata.sorted_tables}


def sqlite_engine(app: App) -> Engine:
    return create_engine(f"sqlite:///{app.loaded.root / 'var' / 'safeduty.db'}")


def test_copy_moves_every_row_of_every_table_and_the_service_carries_on_there(
        app: App, pg_url: str, clock: ManualClock) -> None:
    app.close()
    result = copy(app, pg_url)
    assert result.exit_code == 0, result.output
    source, target = sqlite_engine(app), make_engine(pg_url)
    try:
        before, after = dump(source), dump(target)
        assert {name for name, rows in before.items() if rows} >= {
            "outbox", "delivery_attempt", "staff", "enterprise", "planner_tick", "roster_assignment"}
        assert after == before
        reflected = MetaData()
        reflected.reflect(source)
        assert set(reflected.tables) - NOT_COPIED == {t.name for t in metadata.sorted_tables}
        with target.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == list(migrate.known_revisions()[1])
    finally:
        source.dispose()
        target.dispose()
    assert "outbox: 31 of 31 row(s)" in result.stderr
    assert f"copied {len(metadata.sorted_tables)} table(s)" in result.stdout

    # The service on the copy: the sequences start after the copied ids; nothing is sent again.
    config = app.loaded.path
    config.write_text(config.read_text().replace("sqlite:///var/safeduty.db", pg_url), encoding="utf-8")
    moved = make_app(config, clock)
    try:
        clock.advance(dt.timedelta(minutes=1))
        enqueue(moved, [note("on-postgresql", "console", clock.now())])
        assert moved.dispatcher.dispatch_due() == 1
        rows = outbox(moved)
        assert rows["on-postgresql"].id > max(r.id for k, r in rows.items() if k != "on-postgresql")
        assert rows["n:0"].status == "sent" and rows["n:0"].context == {
            "subject": "【值班提醒】测试消息", "text": "今天的值班安排已发布，请查收。", "markdown": "", "list": [1, "二"]}
        assert rows["dies"].status == "dead"
    finally:
        moved.close()


def test_copy_refuses_a_target_that_holds_anything(app: App, pg_url: str) -> None:
    app.close()
    assert copy(app, pg_url).exit_code == 0
    result = copy(app, pg_url)
    assert result.exit_code == 2
    assert "is not empty (table" in result.stderr and "copy into a new, empty database" in result.stderr


def test_copy_refuses_a_database_with_tables_of_another_application(app: App, pg_url: str) -> None:
    app.close()
    engine = make_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id integer)"))
    engine.dispose()
    result = copy(app, pg_url)
    assert result.exit_code == 2 and "tables safeduty does not use: invoices" in result.stderr


def test_copy_into_an_empty_safeduty_schema_made_by_db_upgrade_is_fine(app: App, pg_url: str) -> None:
    app.close()
    from scheduler import migrate

    engine = make_engine(pg_url)
    migrate.upgrade(engine)
    engine.dispose()
    result = copy(app, pg_url)
    assert result.exit_code == 0, result.output


def test_copy_is_refused_while_the_service_runs(app: App, pg_url: str) -> None:
    app.close()
    lock = InstanceLock(app.loaded.root / "var" / "safeduty.db.lock")
    lock.acquire()
    try:
        result = copy(app, pg_url)
    finally:
        lock.release()
    assert result.exit_code == 2
    assert "Stop the service before copying its database; nothing was copied." in result.stderr
    engine = make_engine(pg_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar() == 0
    engine.dispose()


@pytest.mark.parametrize("target, said", [
    ("mysql://root@127.0.0.1/x", '"mysql:" is not a PostgreSQL URL'),
    ("postgresql://postgres:secret@127.0.0.1:5432/safeduty_no_such_db", 'database "safeduty_no_such_db" does not exist'),
])
def test_copy_to_a_bad_target_says_why_without_its_password(app: App, target: str, said: str) -> None:
    app.close()
    result = copy(app, target)
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "secret" not in result.output and "Traceback" not in result.output
