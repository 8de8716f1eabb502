"""`safeduty db backup` and `db restore` on SQLite (the running-service case is in
tests/deploy/test_backup_restore.py, the PostgreSQL copy in test_db_copy.py)."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner, Result
from sqlalchemy import create_engine

from scheduler import migrate
from scheduler.app import App
from scheduler.cli import main
from scheduler.lock import InstanceLock
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, delivery_project, enqueue, note

(HEAD,) = migrate.known_revisions()[1]  # this safeduty's schema revision


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    application = delivery_app(tmp_path / "p", clock)
    application.service.run_once()
    enqueue(application, [note(f"n:{i}", "console", clock.now()) for i in range(5)])
    application.dispatcher.dispatch_due()
    yield application
    application.close()


def db(app: App, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(app.loaded.path), "db", *args])


def database(app: App) -> Path:
    return app.loaded.root / "var" / "safeduty.db"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sent_keys(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {k for (k,) in connection.execute("SELECT key FROM outbox WHERE status = 'sent'")}


def test_backup_writes_one_checked_file_with_every_row(app: App, tmp_path: Path) -> None:
    result = db(app, "backup", str(tmp_path / "b.db"))
    assert result.exit_code == 0, result.output
    assert f"to {tmp_path / 'b.db'}" in result.stdout and f"schema {HEAD}" in result.stdout
    assert sent_keys(tmp_path / "b.db") == sent_keys(database(app)) >= {f"n:{i}" for i in range(5)}
    assert not list(tmp_path.glob("b.db-*")) and not list(tmp_path.glob(".b.db*"))  # no WAL, no leftovers
    assert (tmp_path / "b.db").stat().st_mode & 0o077 == 0
    with sqlite3.connect(tmp_path / "b.db") as backup:
        assert backup.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_backup_refuses_to_overwrite_a_file_unless_told(app: App, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    target.write_bytes(b"keep me")
    result = db(app, "backup", str(target))
    assert result.exit_code == 2 and "already exists; choose another name, or pass --replace" in result.stderr
    assert target.read_bytes() == b"keep me"
    assert db(app, "backup", "--replace", str(target)).exit_code == 0
    assert sent_keys(target)


@pytest.mark.parametrize("where, said", [
    ("missing/b.db", "folder"),
    ("var/safeduty.db", "is the database itself"),
])
def test_backup_refuses_a_bad_destination(app: App, where: str, said: str) -> None:
    before = digest(database(app))
    result = db(app, "backup", str(app.loaded.root / where))
    assert result.exit_code == 2 and said in result.stderr
    assert digest(database(app)) == before


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    config = delivery_project(tmp_path / "p")
    result = CliRunner().invoke(main, ["--config", str(config), "db", "backup", str(tmp_path / "b.db")])
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "p" / "var").exists()


def test_backup_and_restore_of_postgresql_point_to_pg_dump(tmp_path: Path) -> None:
    config = delivery_project(tmp_path / "p", database="postgresql://safeduty@127.0.0.1:5432/safeduty")
    for args in (["backup", "b.db"], ["restore", "b.db"]):
        result = CliRunner().invoke(main, ["--config", str(config), "db", *args])
        assert result.exit_code == 2 and "pg_dump" in result.stderr


def test_restore_replaces_the_database_and_keeps_the_one_it_replaced(app: App, clock: ManualClock,
                                                                      tmp_path: Path) -> None:
    assert db(app, "backup", str(tmp_path / "b.db")).exit_code == 0
    enqueue(app, [note("after-the-backup", "console", clock.now())])
    app.dispatcher.dispatch_due()
    app.close()
    result = db(app, "restore", str(tmp_path / "b.db"))
    assert result.exit_code == 0, result.output
    assert "after-the-backup" not in sent_keys(database(app))
    (kept,) = database(app).parent.glob("safeduty.db.replaced-*")
    assert "after-the-backup" in sent_keys(kept)
    assert f"kept as {kept}" in result.stdout


def test_a_stale_wal_of_the_replaced_database_is_never_replayed_over_the_restored_one(app: App,
                                                                                     tmp_path: Path) -> None:
    assert db(app, "backup", str(tmp_path / "b.db")).exit_code == 0
    app.close()
    # A process dies with a write in the WAL, never checkpointed into the database file.
    script = ("import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_autocheckpoint=0');"
              "c.execute(\"UPDATE outbox SET status = 'dead' WHERE key = 'n:0'\"); c.commit(); os._exit(0)")
    subprocess.run([sys.executable, "-c", script, str(database(app))], check=True, timeout=30)
    assert Path(f"{database(app)}-wal").stat().st_size > 0
    assert db(app, "restore", str(tmp_path / "b.db")).exit_code == 0
    assert "n:0" in sent_keys(database(app))
    (kept,) = database(app).parent.glob("safeduty.db.replaced-*")
    assert "n:0" not in sent_keys(kept)  # the dying write was kept with the database it belonged to


def test_restore_is_refused_while_the_service_holds_the_database(app: App, tmp_path: Path) -> None:
    assert db(app, "backup", str(tmp_path / "b.db")).exit_code == 0
    lock = InstanceLock(database(app).with_name("safeduty.db.lock"))
    lock.acquire()
    try:
        before = digest(database(app))
        result = db(app, "restore", str(tmp_path / "b.db"))
    finally:
        lock.release()
    assert result.exit_code == 2
    assert "is in use" in result.stderr and "Stop the service before restoring; nothing was changed." in result.stderr
    assert digest(database(app)) == before and not list(database(app).parent.glob("*.replaced-*"))


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")


def _newer(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")


@pytest.mark.parametrize("make, said", [
    (lambda p, b: p.write_bytes(b"PK\x03\x04 a zip, not a database" * 50), "is not a SQLite database"),
    (lambda p, b: p.write_bytes(b""), "is empty"),
    (lambda p, b: _foreign_sqlite(p), "it is not a safeduty database"),
    (lambda p, b: (p.write_bytes(b.read_bytes()), _newer(p)), "is newer than this safeduty"),
    (lambda p, b: p.write_bytes(b.read_bytes()[:4096] + b"\x00" * 8192 + b.read_bytes()[12288:]), "corrupt"),
])
def test_restore_refuses_a_file_that_is_not_a_usable_safeduty_database(app: App, tmp_path: Path, make,
                                                                       said: str) -> None:
    assert db(app, "backup", str(tmp_path / "good.db")).exit_code == 0
    app.close()
    candidate = tmp_path / "candidate.db"
    make(candidate, tmp_path / "good.db")
    before = digest(database(app))
    result = db(app, "restore", str(candidate))
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "Traceback" not in result.output
    assert digest(database(app)) == before and not list(database(app).parent.glob("*.replaced-*"))


def test_a_backup_of_an_older_schema_is_restored_and_upgraded_on_start(tmp_path: Path, clock: ManualClock) -> None:
    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as connection:
        cfg = migrate._alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0004")
    engine.dispose()
    application = delivery_app(tmp_path / "p", clock)
    application.service.run_once()
    application.close()
    result = db(application, "restore", str(old))
    assert result.exit_code == 0, result.output
    assert "schema 0004" in result.stdout
    upgraded = CliRunner().invoke(main, ["--config", str(application.loaded.path), "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with sqlite3.connect(database(application)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]


def test_upgrade_refuses_a_database_of_a_newer_safeduty(app: App) -> None:
    app.close()
    _newer(database(app))
    result = db(app, "upgrade")
    assert result.exit_code == 2 and "is newer than this safeduty" in result.stderr
