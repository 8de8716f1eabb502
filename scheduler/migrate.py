"""Apply the Alembic migrations (automatically on start, and by `safeduty db upgrade`)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

log = logging.getLogger("safeduty.db")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_ID = 0x5AFE_D07  # PostgreSQL advisory lock: replicas starting together migrate one at a time


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    cfg = _alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        before = set(MigrationContext.configure(connection).get_current_heads())
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")
        after = set(MigrationContext.configure(connection).get_current_heads())
    if after != before:
        log.info("database schema upgraded to %s", ", ".join(sorted(after)))

