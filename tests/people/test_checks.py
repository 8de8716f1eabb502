"""`safeduty check` finds audiences that reach nobody (issue 15 §5)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from scheduler.checks import run_checks
from scheduler.cli import main
from scheduler.config import load_config
from tests.support.project import make_project

ONLY_DUTY_STAFF = """工号,姓名,角色,班组,手机,邮箱
S002,韩丽萍,带班领导,厅领导,13800000002,hanlp@wlt.example.gov.cn
S004,高峰,带班领导,安全科,13800000004,gaof@wlt.example.gov.cn
S006,梁宇,值班员,安全科,13800000006,liangy@wlt.example.gov.cn
S007,宋佳,值班员,安全科,13800000007,songj@wlt.example.gov.cn
"""


def _project(tmp_path: Path, extra: str = "") -> Path:
    config = make_project(tmp_path / "project", extra)
    (config.parent / "staff.csv").write_text(ONLY_DUTY_STAFF, encoding="utf-8")
    return config


def test_the_example_staff_reach_every_audience(tmp_path: Path) -> None:
    report = run_checks(load_config(make_project(tmp_path / "project"), environ={}))
    assert not [p for p in report.problems if "reaches nobody" in p]


def test_empty_audiences_that_reports_and_escalations_depend_on_fail_the_check(tmp_path: Path) -> None:
    report = run_checks(load_config(_project(tmp_path), environ={}))
    problems = "\n".join(report.problems)
    assert "groups.admins reaches nobody (no one in the staff list has role admin 系统管理员); used by: " \
           "delivery.admins" in problems
    assert "groups.section_heads reaches nobody" in problems and "hazards.major.steps[4].audience[0]" in problems
    assert "groups.bureau_leaders reaches nobody" in problems
    assert 'the hazard escalation audience "supervisor" reaches nobody' in problems
    assert '[messages] allow_empty = ["bureau_leaders"]' in problems
    # Other empty groups are warned about, naming what uses them.
    warnings = "\n".join(report.warnings)
    assert "groups.supervisors reaches nobody" in warnings
    assert "groups.safety_section (安全科) reaches nobody" in warnings


def test_allow_empty_turns_a_problem_into_a_warning(tmp_path: Path) -> None:
    config = _project(tmp_path, '\n[messages]\nallow_empty = ["admins", "section_heads", "bureau_leaders", "supervisor"]\n')
    report = run_checks(load_config(config, environ={}))
    assert not [p for p in report.problems if "reaches nobody" in p]
    assert any("groups.admins reaches nobody" in w for w in report.warnings)


def test_check_exits_2_naming_the_empty_audiences(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(_project(tmp_path)), "check"])
    assert result.exit_code == 2
    assert "groups.admins reaches nobody" in result.output
    assert "warning: groups.supervisors reaches nobody" in result.output


def test_without_a_staff_file_the_imported_staff_are_checked(tmp_path: Path) -> None:
    config = _project(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(config), "import", "staff", str(config.parent / "staff.csv")]
                         ).exit_code == 0
    text = config.read_text(encoding="utf-8").replace('staff = "staff.csv"\n', "")
    config.write_text(text, encoding="utf-8")
    report = run_checks(load_config(config, environ={}))
    assert any("groups.admins reaches nobody" in p for p in report.problems)
