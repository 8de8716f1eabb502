"""`safeduty receipt …` and `safeduty report …` through click; time-machine fixes "now"."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
import time_machine
from click.testing import CliRunner, Result
from sqlalchemy import select

from scheduler.cli import main
from scheduler.config import load_config
from scheduler.db import make_engine, make_sessions
from scheduler.outbox.models import OutboxMessage
from scheduler.receipts.models import Receipt
from tests.receipts.helpers import receipts_project
from tests.support.clock import local

Run = Callable[..., Result]
KEY = "preholiday:2026-02-15:T-14:enterprise:91140100EX0000001A:principal"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return receipts_project(tmp_path / "project")


@pytest.fixture
def cli(project: Path) -> Iterator[Run]:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, ["--config", str(project), *args], catch_exceptions=False)

    with time_machine.travel(local(2026, 1, 30, 9, 5), tick=False):
        assert run("run", "--once").exit_code == 0  # imports the data, plans and sends the T-14 notices
    yield run


def receipts(project: Path) -> list[Receipt]:
    loaded = load_config(project, environ={})
    engine = make_engine(loaded.database_url)
    try:
        with make_sessions(engine)() as session:
            return list(session.scalars(select(Receipt)))
    finally:
        engine.dispose()


def test_a_receipt_taken_by_phone_is_recorded_by_hand_once(cli: Run, project: Path) -> None:
    with time_machine.travel(local(2026, 2, 3, 10, 0), tick=False):
        result = cli("receipt", "confirm", KEY, "--by", "王建国", "--mobile", "13900000101", "--note", "电话告知已完成",
                     "--done", "--found", "2", "--rectified", "2", "--entered-by", "邓超")
        assert result.exit_code == 0, result.output
        assert "recorded: preholiday:2026-02-15:T-14:enterprise:91140100EX0000001A confirmed by 王建国" in result.output
        again = cli("receipt", "confirm", KEY.replace(":principal", ":safety_manager"), "--by", "李安全",
                    "--mobile", "13900000102", "--done", "--found", "0", "--rectified", "0")
        assert again.exit_code == 0 and "already confirmed by 王建国" in again.output
    [receipt] = receipts(project)
    assert receipt.entry == "hand" and receipt.payload == {"done": True, "found": 2, "rectified": 2}
    assert receipt.note == "电话告知已完成" and receipt.entered_by == "邓超"


def test_bad_report_fields_are_named_and_nothing_is_recorded(cli: Run, project: Path) -> None:
    with time_machine.travel(local(2026, 2, 3, 10, 0), tick=False):
        result = cli("receipt", "confirm", KEY, "--by", "王建国", "--mobile", "123", "--found", "1", "--rectified", "3")
    assert result.exit_code == 2
    assert "--mobile: 手机号码格式不正确" in result.output
    assert "--done: 请确认已完成节前自查" in result.output
    assert "--rectified: 已整改数不能多于发现隐患数" in result.output
    assert receipts(project) == []


def test_an_unknown_key_or_one_that_asks_nothing_is_refused(cli: Run, project: Path) -> None:
    unknown = cli("receipt", "confirm", "nosuch", "--by", "x")
    assert unknown.exit_code == 2 and "no message with key 'nosuch'" in unknown.output
    loaded = load_config(project, environ={})
    engine = make_engine(loaded.database_url)
    with make_sessions(engine)() as session:
        other = session.scalar(select(OutboxMessage.key).where(OutboxMessage.kind != "preholiday/self_inspection"))
    engine.dispose()
    assert other is not None
    result = cli("receipt", "confirm", other, "--by", "x")
    assert result.exit_code == 2 and "不需要回执" in result.output


def test_stats_and_list_show_the_rate_per_notice_and_what_is_outstanding(cli: Run) -> None:
    with time_machine.travel(local(2026, 2, 3, 10, 0), tick=False):
        assert cli("receipt", "confirm", KEY, "--by", "王建国", "--mobile", "13900000101", "--done", "--found", "0",
                   "--rectified", "0").exit_code == 0
    stats = json.loads(cli("receipt", "stats", "--format", "json").output)
    t14 = next(n for n in stats if n["kind"] == "preholiday/self_inspection")
    assert (t14["topic"], t14["asked"], t14["answered"]) == ("preholiday:2026-02-15", 8, 1)
    assert "enterprise:91140100EX0000001A" not in t14["missing"] and len(t14["missing"]) == 7
    outstanding = json.loads(cli("receipt", "list", "--outstanding", "--format", "json").output)
    assert KEY not in {r["key"] for r in outstanding}
    assert len({r["party"] for r in outstanding}) == 7
    history = json.loads(cli("receipt", "stats", "--party", "enterprise:91140100EX0000001A", "--format",
                             "json").output)
    assert [h["confirmed_by"] for h in history] == ["王建国"]
    assert cli("receipt", "stats", "--party", "91140100EX0000001A").exit_code == 2


def test_the_days_zero_report_exports_every_party_in_scope(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "day.xlsx"
    with time_machine.travel(local(2026, 2, 16, 16, 0), tick=False):
        result = cli("report", "zero", "--day", "2026-02-16", "--output", str(out))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    assert "零报告（2026年2月16日，春节假期）" in sheet["A1"].value
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(names) == 8 and "晋祠山水文化旅游区（示例）" in names
    assert {row[3] for row in sheet.iter_rows(min_row=3, values_only=True)} == {"未报告"}
    assert cli("report", "zero", "--day", "2026-03-16").exit_code == 2  # not a 零报告 day
    assert cli("report", "zero", "--day", "16/02/2026").exit_code == 2


def test_the_handover_month_exports_as_csv_and_a_bad_month_is_refused(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    result = cli("report", "handover", "--month", "2026-02", "--format", "csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith("\ufeff交班日期".encode())
    assert cli("report", "handover", "--month", "2026-13").exit_code == 2
    assert cli("report", "upward", "99", "--by", "x").exit_code == 2


def test_the_outbox_keys_shown_are_the_ones_confirm_takes(cli: Run, project: Path) -> None:
    loaded = load_config(project, environ={})
    engine = make_engine(loaded.database_url)
    with make_sessions(engine)() as session:
        assert session.scalar(select(OutboxMessage.status).where(OutboxMessage.key == KEY)) == "sent"
    engine.dispose()
