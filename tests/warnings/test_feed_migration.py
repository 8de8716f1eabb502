"""Migration 0016: the feed poller's own tables, made exactly as the models describe them, on a
database that was at 0014 (the notices layout)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from scheduler import migrate
from scheduler.models import metadata

FEED_TABLES = {"feed_state", "feed_seen"}


def test_a_database_at_0014_gets_the_feed_tables_as_the_models_describe_them_and_loses_them_on_downgrade(
        tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = migrate._alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0014")
        assert not FEED_TABLES & set(inspect(connection).get_table_names())
        connection.execute(text("INSERT INTO data_file (path, sha256, imported_at) "
                                "VALUES ('people.csv', 'abc', '2026-07-20 08:00:00')"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0016")
    with engine.connect() as connection:
        assert FEED_TABLES <= set(inspect(connection).get_table_names())
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        assert [d for d in differences if any(t in repr(d) for t in FEED_TABLES)] == []
        assert connection.execute(text("SELECT path FROM data_file")).scalars().all() == ["people.csv"]
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0014")
        assert not FEED_TABLES & set(inspect(connection).get_table_names())
    engine.dispose()
