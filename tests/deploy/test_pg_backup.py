"""The PostgreSQL backup and restore commands docs/deployment.md shows (pg_dump, pg_restore),
run as written against the machine's PostgreSQL: the restored database holds every row, and
`safeduty status` reads it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import select

from scheduler.cli import main
from scheduler.db import make_engine
from scheduler.models import metadata
from scheduler.planners import PLANNERS
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app
from tests.support.postgres import fresh_database
from tests.support.project import ROOT

pytestmark = pytest.mark.postgres


def libpq(url: str) -> str:
    """pg_dump and pg_restore take postgresql://, not SQLAlchemy's postgresql+psycopg://."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def rows(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {t.name: len(connection.execute(select(t)).all()) for t in metadata.sorted_tables}
    finally:
        engine.dispose()


def test_the_guides_pg_dump_and_pg_restore_give_back_every_row(tmp_path: Path, pg_url: str,
                                                             clock: ManualClock) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump / pg_restore are not installed (Debian: postgresql-client)")
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    dump_line = "pg_dump --format=custom --file=/var/backups/safeduty/safeduty-$(date +%F).dump \"$DATABASE\""
    restore_line = "pg_restore --no-owner --exit-on-error --dbname=\"$NEW_DATABASE\" /var/backups/safeduty/safeduty-2026-12-01.dump"
    assert dump_line in guide and restore_line in guide
    app = delivery_app(tmp_path / "p", clock, database=pg_url)
    app.service.run_once()
    app.close()
    dump = tmp_path / "safeduty.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq(pg_url)], check=True, timeout=120)
    with fresh_database() as restored:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq(restored)}", str(dump)],
                       check=True, timeout=120)
        counted = rows(restored)
        assert counted == rows(pg_url) and counted["staff"] == 13 and counted["planner_tick"] == len(PLANNERS)
        config = app.loaded.path
        config.write_text(config.read_text(encoding="utf-8").replace(pg_url, restored), encoding="utf-8")
        with time_machine.travel(clock.now(), tick=False):
            result = CliRunner().invoke(main, ["--config", str(config), "status"])
        assert result.exit_code == 0, result.output
