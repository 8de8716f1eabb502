from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from scheduler.app import App
from scheduler.hazards.imports import import_hazards
from scheduler.hazards.models import Hazard, HazardEvent
from scheduler.tabular import DataError
from tests.hazards.helpers import hazard
from tests.support.clock import SHANGHAI, ManualClock, local
from tests.support.project import ROOT

HEADER = "隐患编号,企业,隐患名称,隐患类别,隐患等级,发现日期,整改期限,状态\n"


@pytest.fixture
def ready(app: App, clock: ManualClock) -> App:
    clock.set(local(2026, 3, 2, 9, 0))  # after every 发现日期 in the files below
    app.service.sync_data()
    return app


def _import(app: App, path: Path) -> str:
    with app.sessions.begin() as session:
        result = import_hazards(
            session,
            path,
            zone=SHANGHAI,
            now=app.clock.now(),
            actor="clerk",
            general_deadline_days=0,
        )
    return str(result)


def _count(app: App, model: type) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_example_ledger_imports_and_a_second_import_changes_nothing(ready: App) -> None:
    assert _import(ready, ROOT / "examples" / "hazards.csv") == "6 new, 0 updated, 0 unchanged"
    assert _import(ready, ROOT / "examples" / "hazards.csv") == "0 new, 0 updated, 6 unchanged"
    first = hazard(ready, "HZ-2026-0001")
    assert (first.funds_yuan, first.listing_notice, first.status) == (
        380000,
        "并安委办督〔2026〕2号",
        "rectifying",
    )
    assert first.reported_to_regulator_at == local(2026, 1, 6, 10, 0)
    assert hazard(ready, "HZ-2026-0003").deadline == dt.date(2026, 1, 15)  # general: the day found


def test_a_file_with_bad_rows_writes_nothing_and_lists_every_bad_row(
    ready: App, tmp_path: Path
) -> None:
    path = tmp_path / "hazards.csv"
    path.write_text(
        HEADER
        + "HZ-1,91140100EX0000001A,栈道裂纹,物,重大,2026-01-05,2026-03-01,\n"  # good
        + "HZ-2,91149999EX9999999Z,消防通道堵塞,物,一般,2026-01-05,,\n"  # unknown enterprise
        + "HZ-3,91140100EX0000003C,应急照明损坏,物,一般,2026-13-05,,\n"  # bad date
        + "HZ-4,91140100EX0000006F,吊杆钢丝绳磨损,物,重大,2026-01-05,,\n",  # major without deadline
        encoding="utf-8",
    )
    with pytest.raises(DataError) as error:
        _import(ready, path)
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in error.value.problems] == ["3", "4", "5"]
    assert "unknown enterprise '91149999EX9999999Z'" in error.value.problems[0]
    assert "发现日期: '2026-13-05' is not a date" in error.value.problems[1]
    assert "needs a deadline" in error.value.problems[2]
    assert _count(ready, Hazard) == 0 and _count(ready, HazardEvent) == 0


def test_english_headers_in_an_xlsx_workbook_and_enterprise_names_are_accepted(
    ready: App, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["code", "enterprise", "title", "category", "level", "found_on", "deadline", "funds"]
    )
    sheet.append(
        [
            "HZ-9",
            "并州大剧院（示例）",
            "吊杆钢丝绳磨损",
            "thing",
            "major",
            dt.datetime(2026, 2, 2),
            dt.datetime(2026, 4, 30),
            "6.5万",
        ]
    )
    book.save(tmp_path / "hazards.xlsx")
    assert _import(ready, tmp_path / "hazards.xlsx") == "1 new, 0 updated, 0 unchanged"
    record = hazard(ready, "HZ-9")
    assert (record.enterprise.code, record.deadline, record.funds_yuan) == (
        "91140100EX0000006F",
        dt.date(2026, 4, 30),
        65000,
    )


def test_a_reimport_records_a_later_deadline_as_an_extension_and_walks_the_status_forward(
    ready: App, tmp_path: Path
) -> None:
    path = tmp_path / "hazards.csv"
    path.write_text(
        HEADER + "HZ-1,91140100EX0000003C,应急照明损坏,物,一般,2026-01-05,2026-01-10,\n",
        encoding="utf-8",
    )
    _import(ready, path)
    path.write_text(
        HEADER + "HZ-1,91140100EX0000003C,应急照明损坏,物,一般,2026-01-05,2026-01-20,已验收\n",
        encoding="utf-8",
    )
    assert _import(ready, path) == "0 new, 1 updated, 0 unchanged"
    record = hazard(ready, "HZ-1")
    assert [(e.kind, e.old, e.new, e.reason) for e in record.events[1:]] == [
        ("deadline", "2026-01-10", "2026-01-20", "从hazards.csv导入"),
        ("status", "registered", "verified", "从hazards.csv导入"),
    ]


def test_a_reimport_cannot_move_a_closed_hazard_back_or_a_deadline_earlier(
    ready: App, tmp_path: Path
) -> None:
    path = tmp_path / "hazards.csv"
    path.write_text(
        HEADER
        + "HZ-1,91140100EX0000003C,应急照明损坏,物,一般,2026-01-05,2026-01-10,已销号\n"
        + "HZ-2,91140100EX0000003C,灭火器过期,物,一般,2026-01-05,2026-01-10,\n",
        encoding="utf-8",
    )
    _import(ready, path)
    path.write_text(
        HEADER
        + "HZ-1,91140100EX0000003C,应急照明损坏,物,一般,2026-01-05,2026-01-10,整改中\n"
        + "HZ-2,91140100EX0000003C,灭火器过期,物,一般,2026-01-05,2026-01-08,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as error:
        _import(ready, path)
    assert "cannot go from 已销号 to 整改中" in error.value.problems[0]
    assert "cannot move earlier" in error.value.problems[1]


def test_a_hazard_found_in_the_future_is_refused(ready: App, tmp_path: Path) -> None:
    path = tmp_path / "hazards.csv"
    path.write_text(HEADER + "HZ-1,91140100EX0000003C,应急照明损坏,物,一般,2026-03-03,,\n", encoding="utf-8")
    with pytest.raises(DataError, match="发现日期: 2026-03-03 is in the future"):
        _import(ready, path)


def test_a_code_used_twice_in_one_file_is_an_error(ready: App, tmp_path: Path) -> None:
    path = tmp_path / "hazards.csv"
    path.write_text(
        HEADER + "HZ-1,91140100EX0000003C,应急照明损坏,物,一般,2026-01-05,,\n" * 2, encoding="utf-8"
    )
    with pytest.raises(DataError, match="'HZ-1' already used on row 2"):
        _import(ready, path)
