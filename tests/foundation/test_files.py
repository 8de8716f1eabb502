"""The state folder is created 0700 and what the service writes into it 0600, whatever the umask."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from tests.support.clock import ManualClock, local
from tests.support.delivery import delivery_project, enqueue, note
from tests.support.project import make_app, make_project


@pytest.fixture
def loose_umask() -> Iterator[None]:
    before = os.umask(0o022)  # the usual default, which creates files 0644 and folders 0755
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_console_outbox_and_keys_are_private(tmp_path: Path, loose_umask: None) -> None:
    config = delivery_project(tmp_path / "p")
    app = make_app(config, ManualClock(local(2026, 1, 5, 9, 0)))
    try:
        app.service.sync_data()
        enqueue(app, [note("t:1", "console", app.clock.now() - dt.timedelta(minutes=1))])
        assert app.dispatcher.dispatch_due() == 1
    finally:
        app.close()
    var = config.parent / "var"
    assert mode(var) == 0o700
    files = sorted(p for p in var.iterdir() if p.is_file())
    names = {p.name for p in files}
    assert {"safeduty.db", "console.jsonl", "security-fingerprint-key.key"} <= names, names
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_an_export_file_is_created_private(tmp_path: Path, loose_umask: None) -> None:
    config = make_project(tmp_path / "p")
    out = tmp_path / "roster.csv"
    result = CliRunner().invoke(main, ["--config", str(config), "roster", "show", "--from", "2026-02-01",
                                       "--to", "2026-02-28", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600


def test_check_warns_about_a_database_others_can_read(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    var = config.parent / "var"
    var.mkdir()
    (var / "safeduty.db").touch()
    os.chmod(var / "safeduty.db", 0o644)
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert "safeduty.db can be read by other users (mode 644)" in result.output


def test_a_folder_made_inside_a_missing_state_folder_makes_both_private(tmp_path: Path, loose_umask: None) -> None:
    """`check` writes var/templates-compiled/ first on a fresh project: var/ itself came out 0755."""
    from scheduler.files import private_folder

    private_folder(tmp_path / "var" / "templates-compiled")
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "var" / "templates-compiled").stat().st_mode) == 0o700
