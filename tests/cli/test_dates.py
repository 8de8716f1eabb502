"""One date parser and one message for every command that takes a date (issue 15 §17)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.cli.common import parse_date
from tests.support.project import make_project

MESSAGE = "'2026-13-01' is not a date: write 2026-03-05 (2026/3/5 and 2026年3月5日 work too)"


@pytest.mark.parametrize("text", ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", " 2026-3-5 "])
def test_the_forms_people_type_are_one_date(text: str) -> None:
    assert parse_date(text) == dt.date(2026, 3, 5)


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "5/3/2026", "tomorrow", ""])
def test_anything_else_is_refused_with_the_forms_that_work(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date: write 2026-03-05"):
        parse_date(text)


@pytest.mark.parametrize("args", [
    ["simulate", "--from", "2026-13-01", "--to", "2026-12-31"],
    ["roster", "show", "--from", "2026-13-01"],
    ["roster", "generate", "--from", "2026-13-01", "--to", "2026-12-31"],
    ["roster", "leave", "宋佳", "--from", "2026-13-01", "--to", "2026-12-31", "--reason", "x"],
    ["hazard", "add", "--enterprise", "x", "--title", "t", "--category", "物", "--level", "一般",
     "--found", "2026-13-01"],
    ["hazard", "extend", "HZ-1", "--deadline", "2026-13-01", "--reason", "x"],
])
def test_every_command_reports_a_bad_date_the_same_way(tmp_path: Path, args: list[str]) -> None:
    config = make_project(tmp_path / "project")
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    assert result.exit_code == 2
    assert MESSAGE in result.output
