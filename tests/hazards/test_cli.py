"""`safeduty hazard …` end to end through click, on a fresh project; time-machine fixes "now"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner, Result

from scheduler.cli import main
from tests.support.clock import local
from tests.support.project import ROOT, make_project


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[object]:
    config = make_project(tmp_path / "project")
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, ["--config", str(config), *args], catch_exceptions=False)

    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        assert run("import", "enterprises", str(config.parent / "enterprises.csv")).exit_code == 0
        assert run("import", "staff", str(config.parent / "staff.csv")).exit_code == 0
        yield run


def test_add_then_walk_the_lifecycle_and_show_the_history(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "hazard",
        "add",
        "--enterprise",
        "91140100EX0000001A",
        "--title",
        "栈道玻璃裂纹",
        "--level",
        "重大",
        "--category",
        "物",
        "--found",
        "2026-03-01",
        "--deadline",
        "2026-04-30",
        "--measures",
        "更换面板",
        "--responsible",
        "李安全",
        "--responsible-mobile",
        "13900000102",
        "--by",
        "张科员",
    )
    assert result.exit_code == 0, result.output
    assert "registered HZ-2026-0001" in result.output
    assert "still missing: 整改资金、资金来源、应急预案、报告监管部门时间、报告职代会时间" in result.output

    refused = cli("hazard", "status", "HZ-2026-0001", "整改中")
    assert refused.exit_code == 2 and "missing: 整改资金、资金来源、应急预案" in refused.output

    assert (
        cli(
            "hazard",
            "update",
            "HZ-2026-0001",
            "--funds",
            "3.8万",
            "--funds-source",
            "企业自筹",
            "--contingency-plan",
            "专项预案",
            "--by",
            "张科员",
        ).exit_code
        == 0
    )
    assert (
        cli(
            "hazard",
            "status",
            "HZ-2026-0001",
            "rectifying",
            "--reason",
            "方案已批准",
            "--by",
            "张科员",
        ).exit_code
        == 0
    )
    assert (
        cli(
            "hazard",
            "extend",
            "HZ-2026-0001",
            "--deadline",
            "2026-06-30",
            "--reason",
            "采购周期长",
            "--by",
            "李科长",
        ).exit_code
        == 0
    )

    shown = json.loads(cli("hazard", "show", "HZ-2026-0001", "--format", "json").stdout)
    assert (
        shown["funds_yuan"] == 38000
        and shown["deadline"] == "2026-06-30"
        and shown["status"] == "rectifying"
    )
    assert [(e["kind"], e["actor"], e["reason"], e["at"]) for e in shown["history"]] == [
        ("registered", "张科员", "", "2026-03-02T01:00:00+00:00"),
        ("updated", "张科员", "", "2026-03-02T01:00:00+00:00"),
        ("status", "张科员", "方案已批准", "2026-03-02T01:00:00+00:00"),
        ("deadline", "李科长", "采购周期长", "2026-03-02T01:00:00+00:00"),
    ]
    table = cli("hazard", "show", "HZ-2026-0001").output
    assert any(line.split()[3:6] == ["延期", "2026-04-30", "2026-06-30"] for line in table.splitlines())
    assert "尚缺" in table


def test_a_bad_transition_or_value_exits_2_with_a_clear_message(cli) -> None:  # type: ignore[no-untyped-def]
    cli(
        "hazard",
        "add",
        "--code",
        "HZ-1",
        "--enterprise",
        "龙城星光KTV（示例）",
        "--title",
        "应急照明损坏",
        "--level",
        "一般",
        "--category",
        "物",
        "--found",
        "2026-03-01",
    )
    closed = cli("hazard", "status", "HZ-1", "closed")
    assert closed.exit_code == 2
    assert (
        "error: HZ-1: cannot go from 已登记 to 已销号; next: 整改中 (rectifying)、已整改 (rectified)"
        in closed.output
    )
    assert cli("hazard", "status", "HZ-1", "done").exit_code == 2
    bad_date = cli("hazard", "extend", "HZ-1", "--deadline", "2026-02-30", "--reason", "x")
    assert bad_date.exit_code == 2 and "'--deadline': '2026-02-30' is not a date" in bad_date.output
    unknown = cli("hazard", "show", "HZ-404")
    assert unknown.exit_code == 2 and "no hazard 'HZ-404'" in unknown.output
    no_deadline = cli(
        "hazard",
        "add",
        "--enterprise",
        "龙城星光KTV（示例）",
        "--title",
        "x",
        "--level",
        "重大",
        "--category",
        "物",
        "--found",
        "2026-03-01",
    )
    assert no_deadline.exit_code == 2 and "needs a deadline" in no_deadline.output


def test_list_filters_and_its_csv_can_be_imported_again(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("hazard", "import", str(ROOT / "examples" / "hazards.csv")).exit_code == 0
    overdue = cli("hazard", "list", "--overdue", "--format", "json")
    # on 2026-03-02: 0002 (02-12) and 0003 (01-15) are open and late; 0004 is rectified
    assert [h["code"] for h in json.loads(overdue.stdout)] == ["HZ-2026-0003", "HZ-2026-0002"]
    major = json.loads(cli("hazard", "list", "--level", "重大", "--format", "json").stdout)
    assert [h["code"] for h in major] == ["HZ-2026-0002", "HZ-2026-0001", "HZ-2026-0005"]
    one = json.loads(
        cli("hazard", "list", "--enterprise", "并州大剧院（示例）", "--format", "json").stdout
    )
    assert [h["code"] for h in one] == ["HZ-2026-0005"]
    table = cli("hazard", "list", "--overdue").output
    assert "HZ-2026-0002" in table and "18天" in table

    exported = tmp_path / "export.csv"
    exported.write_text(cli("hazard", "list", "--format", "csv").stdout, encoding="utf-8")
    again = cli("hazard", "import", str(exported))
    assert again.exit_code == 0 and "0 new, 0 updated, 6 unchanged" in again.output


def test_an_import_with_bad_rows_exits_2_listing_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.csv"
    path.write_text(
        "隐患编号,企业,隐患名称,隐患类别,隐患等级,发现日期\nHZ-1,不存在的企业,x,物,一般,2026-01-01\n",
        encoding="utf-8",
    )
    result = cli("hazard", "import", str(path))
    assert result.exit_code == 2
    assert (
        "nothing was changed" in result.output
        and f"{path}:2: 企业: unknown enterprise '不存在的企业'" in result.output
    )
    assert json.loads(cli("hazard", "list", "--format", "json").stdout) == []


def test_the_missing_item_named_is_the_one_that_is_missing(cli) -> None:  # type: ignore[no-untyped-def]
    added = cli("hazard", "add", "--enterprise", "91140100EX0000001A", "--title", "索道钢丝绳断丝",
                "--level", "重大", "--category", "物", "--found", "2026-03-01", "--deadline", "2026-05-30",
                "--measures", "更换钢丝绳", "--responsible", "李安全", "--contingency-plan", "索道应急预案",
                "--reported-to-regulator", "2026-03-01 10:00", "--reported-to-congress", "2026-03-01 15:00")
    assert added.exit_code == 0, added.output
    assert "still missing: 整改资金、资金来源、责任人手机或邮箱" in added.output
    assert cli("hazard", "update", "HZ-2026-0001", "--funds", "5万").exit_code == 0
    refused = cli("hazard", "status", "HZ-2026-0001", "整改中")
    assert refused.exit_code == 2
    assert "missing: 资金来源、责任人手机或邮箱" in refused.output and "整改资金" not in refused.output
    shown = cli("hazard", "show", "HZ-2026-0001").output
    assert "尚缺" in shown and "资金来源、责任人手机或邮箱" in shown and "50000" in shown
    listed = cli("hazard", "list").output
    assert "资金来源、责任人手机或邮箱" in listed
    for amount in ("50,000", "5.5万元"):
        assert cli("hazard", "update", "HZ-2026-0001", "--funds", amount).exit_code == 0
    bad = cli("hazard", "update", "HZ-2026-0001", "--funds", "五万")
    assert bad.exit_code == 2 and "write 125000, 125,000, 12.5万 or 12.5万元" in bad.output


def test_the_history_shows_each_edit_old_to_new_with_chinese_reasons(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("hazard", "add", "--enterprise", "91140100EX0000001A", "--title", "索道钢丝绳断丝",
               "--level", "重大", "--category", "物", "--found", "2026-03-01", "--deadline", "2026-05-30",
               "--funds", "5万").exit_code == 0
    assert cli("hazard", "update", "HZ-2026-0001", "--funds", "8.5万", "--funds-source", "企业自筹",
               "--reason", "追加预算").exit_code == 0
    shown = cli("hazard", "show", "HZ-2026-0001").output
    rows = [line for line in shown.splitlines() if "修改" in line]
    assert any("修改「整改资金」" in r and "5万元" in r and "8.5万元" in r and "追加预算" in r for r in rows), rows
    assert any("修改「资金来源」" in r and "（空）" in r and "企业自筹" in r for r in rows), rows
    history = json.loads(cli("hazard", "show", "HZ-2026-0001", "--format", "json").output)["history"]
    assert {"field": "整改资金", "old": "5万元", "new": "8.5万元"} in history[-1]["changes"]
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(cli("hazard", "list", "--format", "csv").output.replace("索道钢丝绳断丝", "索道钢丝绳断丝（复核）"),
                      encoding="utf-8")
    assert cli("hazard", "import", str(ledger)).exit_code == 0
    shown = cli("hazard", "show", "HZ-2026-0001").output
    assert "从ledger.csv导入" in shown and "imported from" not in shown
    assert any("修改「隐患名称」" in line and "（复核）" in line for line in shown.splitlines())
