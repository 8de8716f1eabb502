from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pytest
import time_machine
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from scheduler.cli import main
from tests.rosters.conftest import PLANNING_DAY, ROSTER_TOML
from tests.support.project import make_project


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = make_project(tmp_path / "project", ROSTER_TOML)
    runner = CliRunner()
    with time_machine.travel(PLANNING_DAY, tick=False):  # the clerk plans 2026 in December 2025
        assert runner.invoke(main, ["--config", str(config), "import", "staff",
                                    str(config.parent / "staff.csv")]).exit_code == 0

        def invoke(*args: str) -> Result:
            return runner.invoke(main, ["--config", str(config), "roster", *args], env={"SAFEDUTY_USER": "王文书"})

        yield invoke


def leaders(run, start: str, end: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    days = json.loads(run("show", "--from", start, "--to", end, "--format", "json").stdout)
    return {d["date"]: d["leaders"][0]["name"] for d in days if d["leaders"]}


def test_a_duty_clerks_walk_through(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("generate", "--from", "2026-03-01", "--to", "2026-03-31", "--publish")
    assert result.exit_code == 0, result.output
    assert "published 2026-03-01…2026-03-31" in result.stdout
    table = run("show", "--from", "2026-03-01", "--to", "2026-03-07").stdout
    assert "带班领导" in table and "已发布" in table and table.count("\n") == 9

    suggestion = run("suggest", "2026-03-10", "--role", "officer", "--replace",
                     json.loads(run("show", "--from", "2026-03-10", "--to", "2026-03-10", "--format", "json")
                                .stdout)[0]["officers"][0]["name"], "--format", "json")
    assert suggestion.exit_code == 0, suggestion.output
    best = json.loads(suggestion.stdout)[0]["name"]
    day = json.loads(run("show", "--from", "2026-03-10", "--to", "2026-03-10", "--format", "json").stdout)[0]
    result = run("override", "2026-03-10", "--replace", day["officers"][0]["name"], "--to", best,
                 "--reason", "生病")
    assert result.exit_code == 0, result.output
    day = json.loads(run("show", "--from", "2026-03-10", "--to", "2026-03-10", "--format", "json").stdout)[0]
    assert day["officers"][0]["name"] == best

    result = run("leave", "宋佳", "--from", "2026-04-06", "--to", "2026-04-12", "--reason", "探亲")
    assert result.exit_code == 0 and "recorded" in result.stdout

    stats = json.loads(run("stats", "--year", "2026", "--format", "json").stdout)
    assert {r["role"] for r in stats["roles"]} == {"leader", "officer"}
    assert sum(p["shifts"] for p in stats["people"]) == 31 * 2
    assert run("check", "--from", "2026-03-01", "--to", "2026-03-31").exit_code == 0


def test_exports_to_files(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("generate", "--from", "2026-02-01", "--to", "2026-02-28").exit_code == 0
    for fmt in ("csv", "xlsx", "html", "ics"):
        result = run("show", "--from", "2026-02-01", "--to", "2026-02-28", "--format", fmt,
                     "-o", str(tmp_path / f"roster.{fmt}"))
        assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(tmp_path / "roster.xlsx").active["A2"].value == "日期"
    assert "<th>值班员</th>" in (tmp_path / "roster.html").read_text(encoding="utf-8")
    mine = run("show", "--from", "2026-02-01", "--to", "2026-02-28", "--format", "ics", "--person", "宋佳")
    events = icalendar.Calendar.from_ical(mine.stdout_bytes).walk("VEVENT")
    assert events and all("宋佳" in str(e["SUMMARY"]) for e in events)
    assert run("show", "--from", "2026-02-01", "--format", "xlsx").exit_code == 2  # needs -o


def test_a_swap_is_done_by_name_and_date(run) -> None:  # type: ignore[no-untyped-def]
    run("generate", "--from", "2026-03-01", "--to", "2026-03-31")
    before = leaders(run, "2026-03-01", "2026-03-31")
    first = "2026-03-10"
    for other in sorted(before):  # the first day whose leader can exchange with the 10th's
        if other > "2026-03-12" and before[other] != before[first]:
            result = run("swap", first, before[first], other, before[other], "--reason", "出差")
            if result.exit_code == 0:
                break
    after = leaders(run, "2026-03-01", "2026-03-31")
    assert (after[first], after[other]) == (before[other], before[first])
    assert {d: n for d, n in after.items() if d not in (first, other)} == \
        {d: n for d, n in before.items() if d not in (first, other)}


@pytest.mark.parametrize(("args", "message"), [
    (("swap", "2026-03-10", "无此人", "2026-03-12", "高峰", "--reason", "x"), '"无此人" is not an active'),
    (("override", "2026-03-10", "--to", "高峰", "--reason", "x"), "has no empty seat"),
    (("leave", "宋佳", "--from", "2026-03-10", "--to", "2026-03-01", "--reason", "x"), "before it starts"),
    (("generate", "--from", "2026-03-40", "--to", "2026-03-01"), "is not a date"),
    (("generate", "--from", "2026-03-31", "--to", "2026-03-01"), "before --from"),
])
def test_bad_input_exits_2_with_the_reason_and_changes_nothing(run, args, message) -> None:  # type: ignore[no-untyped-def]
    run("generate", "--from", "2026-03-01", "--to", "2026-03-31")
    before = run("show", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv").stdout_bytes
    result = run(*args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert run("show", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv").stdout_bytes == before


def test_changes_are_answered_for_by_the_login_name_when_no_one_is_named(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", ROSTER_TOML)
    with time_machine.travel(PLANNING_DAY, tick=False):
        result = CliRunner().invoke(main, ["--config", str(config), "roster", "generate", "--from", "2026-03-01",
                                           "--to", "2026-03-02"], env={"SAFEDUTY_USER": None})
    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{tmp_path / 'project' / 'var' / 'safeduty.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT DISTINCT actor FROM roster_action")).scalars().all() == [getpass.getuser()]
    engine.dispose()




def test_regenerating_prints_a_summary_and_the_seats_only_when_asked(run) -> None:  # type: ignore[no-untyped-def]
    assert run("generate", "--from", "2026-01-01", "--to", "2026-12-31").exit_code == 0
    assert run("leave", "宋佳", "--from", "2026-05-01", "--to", "2026-05-31", "--reason", "培训").exit_code == 0
    loud = run("generate", "--from", "2026-01-01", "--to", "2026-12-31", "--fresh", "--verbose")
    assert loud.exit_code == 0 and "  moved 2026-" in loud.stdout
    assert run("leave", "梁宇", "--from", "2026-07-01", "--to", "2026-07-31", "--reason", "培训").exit_code == 0
    quiet = run("generate", "--from", "2026-01-01", "--to", "2026-12-31", "--fresh")
    assert quiet.exit_code == 0, quiet.output
    assert "moved" not in quiet.stdout and "--verbose lists every seat" in quiet.stdout
    assert "draft day(s) changed" in quiet.stdout and "people affected (drafts: nobody is told)" in quiet.stdout


def test_generating_a_range_that_has_ended_leaves_the_past_and_says_so(run) -> None:  # type: ignore[no-untyped-def]
    assert run("generate", "--from", "2026-01-01", "--to", "2026-01-31").exit_code == 0
    with time_machine.travel(dt.datetime(2026, 1, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        result = run("generate", "--from", "2026-01-01", "--to", "2026-01-31", "--fresh")
        assert result.exit_code == 0, result.output
        assert "2026-01-10…2026-01-31:" in result.stdout  # 01-10's duty is in progress: kept, gaps filled
        assert "2026-01-01…2026-01-09 (9 day(s)) are over: left as they were" in result.stdout
        refused = run("generate", "--from", "2026-01-01", "--to", "2026-01-09")
        assert refused.exit_code == 2 and "past days are never regenerated (add --past" in refused.output
        assert run("generate", "--from", "2026-01-01", "--to", "2026-01-09", "--past").exit_code == 0


def test_publishing_to_an_audience_that_reaches_nobody_says_so(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", ROSTER_TOML)
    staff = config.parent / "staff.csv"
    # Nobody is a 监管员 any more: the roster's published_to group (supervisors) is empty.
    staff.write_text(staff.read_text(encoding="utf-8").replace("值班员、监管员", "值班员"), encoding="utf-8")
    with time_machine.travel(PLANNING_DAY, tick=False):
        result = CliRunner().invoke(main, ["--config", str(config), "roster", "generate", "--from", "2026-03-01",
                                           "--to", "2026-03-07", "--publish"], env={"SAFEDUTY_USER": "王文书"})
    assert result.exit_code == 0, result.output
    assert "published 2026-03-01…2026-03-07" in result.stdout
    assert "warning: roster.notices.published_to: group supervisors (supervisors) reaches nobody, so nobody is told" \
        in result.stderr


def test_a_person_imported_twice_is_warned_about_and_the_gonghao_always_works(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", ROSTER_TOML)
    staff = config.parent / "staff.csv"
    text = staff.read_text(encoding="utf-8")
    twice = next(line for line in text.splitlines() if line.startswith("S007,"))
    staff.write_text(text + twice.replace("S007", "S107") + "\n", encoding="utf-8")
    runner = CliRunner()
    with time_machine.travel(PLANNING_DAY, tick=False):
        imported = runner.invoke(main, ["--config", str(config), "import", "staff", str(staff)])
        assert imported.exit_code == 0, imported.output
        assert "warning: staff: S007 宋佳 and S107 宋佳 have the same mobile 13800000007 and e-mail " \
               "songj@wlt.example.gov.cn: the same person twice?" in imported.stderr
        checked = runner.invoke(main, ["--config", str(config), "check"])
        assert "warning: staff: S007 宋佳 and S107 宋佳" in checked.output

        def roster(*args: str) -> Result:
            return runner.invoke(main, ["--config", str(config), "roster", *args], env={"SAFEDUTY_USER": "王文书"})

        assert roster("generate", "--from", "2026-03-01", "--to", "2026-03-31").exit_code == 0
        by_name = roster("show", "--from", "2026-03-01", "--to", "2026-03-31", "--person", "宋佳")
        assert by_name.exit_code == 2
        assert '"宋佳" names 2 people: S007 宋佳 13800000007, S107 宋佳 13800000007; give the 工号' in by_name.output
        assert roster("show", "--from", "2026-03-01", "--to", "2026-03-31", "--person", "S107").exit_code == 0
        assert roster("leave", "S007", "--from", "2026-03-02", "--to", "2026-03-03", "--reason", "x").exit_code == 0
        refused = roster("leave", "宋佳", "--from", "2026-03-02", "--to", "2026-03-03", "--reason", "x")
        assert refused.exit_code == 2 and "give the 工号" in refused.output
