from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from scheduler.cli import main
from tests.support.project import ROOT, make_project


def safeduty(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scheduler", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


def test_check_passes_on_the_shipped_config() -> None:
    result = CliRunner().invoke(main, ["--config", str(ROOT / "config.toml"), "check"])
    assert result.exit_code == 0, result.output
    assert "all right" in result.output


def test_check_exits_2_naming_a_typo_a_missing_variable_and_a_bad_row(tmp_path: Path) -> None:
    config = make_project(tmp_path, '\n[channels.hook]\ntype = "webhook"\nurl = "${NO_SUCH_VARIABLE}"\n')
    result = safeduty("--config", str(config), "check")
    assert result.returncode == 2
    assert "channels.hook.url: environment variable NO_SUCH_VARIABLE is not set" in result.stderr

    config.write_text(config.read_text().replace(
        'url = "${NO_SUCH_VARIABLE}"', 'url = "https://x"\nsecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"\nurl_typo = 1'))
    result = safeduty("--config", str(config), "check")
    assert result.returncode == 2
    assert f"{config}: channels.hook.url_typo: unknown key" in result.stderr

    config.write_text(config.read_text().replace("\nurl_typo = 1", ""))
    staff = tmp_path / "staff.csv"
    staff.write_text(staff.read_text(encoding="utf-8") + "S099,新同事,值班员,安全科,123,\n", encoding="utf-8")
    result = safeduty("--config", str(config), "check")
    assert result.returncode == 2
    assert f"{staff}:15: 手机: '123' is not an 11-digit mobile number" in result.stderr


def test_check_exits_2_when_the_config_file_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "check"])
    assert result.exit_code == 2
    assert "file not found (pass --config PATH or set SAFEDUTY_CONFIG)" in result.output


def test_safeduty_config_variable_selects_the_file(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    result = safeduty("db", "upgrade", env={"SAFEDUTY_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    assert f"database sqlite:///{tmp_path / 'var' / 'safeduty.db'} is up to date" in result.stdout


def test_db_upgrade_creates_an_empty_database_and_leaves_an_existing_one_intact(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    assert safeduty("--config", str(config), "run", "--once").returncode == 0
    engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'safeduty.db'}")
    with engine.connect() as conn:
        assert {"enterprise", "staff", "outbox", "planner_tick", "alembic_version"} <= set(inspect(conn).get_table_names())
        staff_before = conn.execute(text("SELECT count(*) FROM staff")).scalar()
    assert safeduty("--config", str(config), "db", "upgrade").returncode == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM staff")).scalar() == staff_before == 13


def test_json_logs_are_one_object_per_line(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    result = safeduty("--config", str(config), "--log-format", "json", "run", "--once")
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(e["message"].startswith("imported staff from") for e in entries)
    assert {"time", "level", "logger", "message"} <= set(entries[0])


def test_a_second_instance_on_the_same_sqlite_database_is_refused(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    first = subprocess.Popen([sys.executable, "-m", "scheduler", "--config", str(config), "run"],
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        for line in first.stderr:  # type: ignore[union-attr]
            if "running; planning every" in line or time.monotonic() > deadline:
                break
        second = safeduty("--config", str(config), "run", "--once")
        assert second.returncode == 2
        assert f"is already using this database (lock file {tmp_path / 'var' / 'safeduty.db.lock'})" in second.stderr
        assert f"pid {first.pid}" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=30) == 0


def test_sigterm_stops_the_service_cleanly_even_during_start_up(tmp_path: Path) -> None:
    from tests.support.process import ServiceProcess

    config = make_project(tmp_path)
    for wait_for in ("database schema upgraded", "running; planning every"):
        with ServiceProcess(config, "run") as service:
            service.wait_for(wait_for)
            assert service.stop() == 0
            assert service.lines[-1].endswith("stopped") or "start-up pass" in service.lines[-1]


def test_a_database_at_an_older_revision_is_upgraded_with_its_data_kept(tmp_path: Path) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    from scheduler import migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    cfg = migrate._alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
        connection.execute(text("INSERT INTO staff (code, name, roles, team, mobile, email, feishu_open_id, "
                                "supervises_categories, supervises_regions, active) VALUES "
                                "('S1', '老同事', 'officer', '', '13800000000', '', '', '', '', 1)"))
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM staff")).scalars().all() == ["老同事"]
        assert {"hazard", "roster_assignment", "delivery_target"} <= set(inspect(connection).get_table_names())
        head = ScriptDirectory.from_config(cfg).get_current_head()
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


CHECK_AND_LIST_MODULES = """
import sys
from scheduler.cli import main
try:
    main(["--config", sys.argv[1], "check"])
except SystemExit as exc:
    print("exit", exc.code, file=sys.stderr)
print("heavy:", *sorted(m for m in ("flask", "sqlalchemy", "werkzeug", "alembic") if m in sys.modules), file=sys.stderr)
"""


def test_check_imports_neither_flask_nor_sqlalchemy(tmp_path: Path) -> None:
    """`safeduty check` starts in well under a second: it reads config, data files and templates,
    and the modules a running service needs (Flask 0.3 s, SQLAlchemy 0.25 s) are not imported."""
    config = make_project(tmp_path)
    done = subprocess.run([sys.executable, "-c", CHECK_AND_LIST_MODULES, str(config)], capture_output=True,
                          text=True, check=False, cwd=tmp_path)
    assert "all right" in done.stdout and "exit 0" in done.stderr, done.stderr
    assert done.stderr.splitlines()[-1] == "heavy:"
    assert any((tmp_path / "var" / "templates-compiled").iterdir())  # compiled once, reused by the next check
