"""Apply the Alembic migrations (automatically on start, and by `safeduty db upgrade`)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from scheduler.db import DatabaseUnusable

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
        newer = before - known_revisions()[0]
        if newer:
            raise DatabaseUnusable(
                f"the database's schema (revision {', '.join(sorted(newer))}) is newer than this safeduty: "
                "it was upgraded by a newer version. Run that version, or restore a backup taken before the upgrade")
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")
        after = set(MigrationContext.configure(connection).get_current_heads())
    if after != before:
        log.info("database schema upgraded to %s", ", ".join(sorted(after)))



def known_revisions() -> tuple[set[str], set[str]]:
    """(every revision this safeduty knows, its head revisions)."""
    scripts = ScriptDirectory.from_config(_alembic_config())
    return {s.revision for s in scripts.walk_revisions()}, set(scripts.get_heads())


def current_revisions(connection: Connection) -> set[str] | None:
    """The database's schema revisions; None when it has no Alembic version table at all."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def schema_problem(connection: Connection) -> str | None:
    """Why a database cannot be used by this safeduty as it is, or None when its schema is current."""
    current = current_revisions(connection)
    known, heads = known_revisions()
    if current is None:
        return "it is not a safeduty database (it has no alembic_version table)"
    if not current:
        return "it is not a safeduty database (its alembic_version table is empty)"
    unknown = current - known
    if unknown:
        return (f"its schema (revision {', '.join(sorted(unknown))}) is newer than this safeduty "
                f"(which knows up to {', '.join(sorted(heads))}): upgrade safeduty before using it")
    if current != heads:
        return (f"its schema (revision {', '.join(sorted(current))}) is older than this safeduty's "
                f"({', '.join(sorted(heads))}): run `safeduty db upgrade` (or start the service) first")
    return None
