"""Random rows for the importers (enterprises, staff, hazards), in CSV (UTF-8, UTF-8 with BOM,
GBK) or XLSX, with any of each column's header names: each file is either imported whole or
refused with a DataError whose every line names the file (and the row, for a bad row); nothing
else is ever raised, and a refused file leaves the database exactly as it was."""

from __future__ import annotations

import csv
import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from scheduler.app import App
from scheduler.hazards.fields import columns as hazard_columns
from scheduler.hazards.imports import import_hazards
from scheduler.hazards.models import Hazard
from scheduler.people.imports import (
    ENTERPRISE_COLUMNS,
    STAFF_COLUMNS,
    import_enterprises,
    import_staff,
)
from scheduler.people.models import Enterprise, Staff
from scheduler.tabular import Column, DataError
from tests.reliability.conftest import Figures
from tests.support.clock import SHANGHAI, ManualClock, local
from tests.support.project import EXAMPLES, make_app, make_project
from tests.support.running import scale

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(300)]

EXAMPLES_RUN = scale("EXAMPLES", 300)  # files per importer
NOW = local(2026, 6, 1, 10, 0)
JUNK = st.text(st.characters(codec="utf-8"), max_size=12)  # any character a file can hold
DATES = ["2026-03-02", "2026-05-31", "2030-01-01", "2025-12-31", "2026/3/2", "2026-02-30", "昨天", "46000",
         "2026-03-02 10:00", "2026年3月2日"]
# Plausible values, near misses and junk for each field; any other field gets junk or "".
POOLS: dict[str, list[str]] = {
    "code": ["E1", "E2", "E3", "S1", "S2", "HZ-1", "HZ-2", "HZ-2026-0001", " E1 ", ""],
    "name": ["晋祠景区", "测试员", "王一", "A" * 250, ""],
    "category": ["A级旅游景区", "娱乐场所", "旅行社", "scenic_area", "物", "人", "管理", "酒吧", ""],
    "grade": ["4A", "5A", "4a", "5Ａ级", "9A", "AAAA", ""],
    "level": ["一般", "重大", "major", "特大", ""],
    "source": ["企业自查", "举报", "inspection", "路过", ""],
    "status": ["已登记", "整改中", "已整改", "closed", "已销号", "乱", ""],
    "roles": ["值班员", "带班领导、值班员", "leader,officer", "系统管理员", "厨师", ""],
    "enterprise": ["91140100EX0000001A", "晋祠山水文化旅游区（示例）", "E1", "NOPE", ""],
    "funds_yuan": ["12.5万", "125000", "-5", "1e9", "一百", ""],
    "bot_channel": ["console", "nope", ""],
    "supervises_categories": ["A级旅游景区", "旅行社、娱乐场所", "酒吧", ""],
}
MOBILES = ["13800000001", "13900000102", "1380000000", "+8613800000001", "abc", ""]
EMAILS = ["a@example.com", "anquan@jinci.example.com", "not-an-address", "a@b", ""]


def values_for(column: Column) -> st.SearchStrategy[str]:
    field = column.field
    if field in POOLS:
        pool = POOLS[field]
    elif field.endswith("mobile"):
        pool = MOBILES
    elif field.endswith("email"):
        pool = EMAILS
    elif field.endswith(("_on", "deadline", "_to_regulator", "_to_congress")):
        pool = DATES
    else:
        pool = ["", "一些文字", "x"]
    return st.integers(0, 4).flatmap(lambda n: JUNK if n == 0 else st.sampled_from(pool))  # 1 in 5 junk


@st.composite
def tables(draw: Callable[..., Any], specs: tuple[Column, ...]) -> tuple[list[str], list[list[str]]]:
    """A header (required columns mostly present, under any of their names) and 0–6 rows."""
    chosen = [c for c in specs if (c.required and draw(st.integers(0, 9)) > 0) or draw(st.booleans())]
    header = [draw(st.sampled_from(c.headers)) for c in chosen]
    if draw(st.integers(0, 19)) == 0:
        header.append(draw(JUNK))  # an unknown (or empty) column now and then
    rows = draw(st.lists(st.tuples(*[values_for(c) for c in chosen], *[JUNK] * (len(header) - len(chosen))),
                         max_size=6))
    return header, [list(r) for r in rows]


def write(path: Path, header: list[str], rows: list[list[str]], form: str) -> tuple[Path, list[list[str]]]:
    """The file, and its rows as written (XLSX cannot hold control characters)."""
    if form == "xlsx":
        path = path.with_suffix(".xlsx")
        rows = [[ILLEGAL_CHARACTERS_RE.sub("", v) for v in row] for row in rows]
        book = Workbook()
        sheet = book.active
        for line in [[ILLEGAL_CHARACTERS_RE.sub("", v) for v in header], *rows]:
            sheet.append(line)
        book.save(path)
        return path, rows
    path = path.with_suffix(".csv")
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    text = path.read_text(encoding="utf-8")
    try:
        path.write_bytes(text.encode({"utf-8": "utf-8", "bom": "utf-8-sig", "gbk": "gbk"}[form]))
    except UnicodeEncodeError:
        pass  # not GBK-encodable: stays UTF-8
    return path, rows


def checksum(database: Path) -> str:
    with sqlite3.connect(database) as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The example staff and enterprises on SQLite; each importer then gets random files."""
    folder = tmp_path_factory.mktemp("random-rows")
    application = make_app(make_project(folder), ManualClock(NOW))
    with application.sessions.begin() as session:
        import_staff(session, EXAMPLES / "staff.csv")
        import_enterprises(session, EXAMPLES / "enterprises.csv", channels=application.config.channels)
    yield application
    application.close()


def importer(app: App, kind: str) -> Callable[[Any, Path], object]:
    config = app.config
    return {
        "enterprises": lambda s, p: import_enterprises(s, p, channels=config.channels),
        "staff": lambda s, p: import_staff(s, p),
        "hazards": lambda s, p: import_hazards(s, p, zone=config.service.zone, now=NOW, actor="fuzz",
                                               general_deadline_days=config.hazards.general_deadline_days),
    }[kind]


SPECS = {"enterprises": ENTERPRISE_COLUMNS, "staff": STAFF_COLUMNS,
         "hazards": tuple(hazard_columns(SHANGHAI))}
MODELS: dict[str, Any] = {"enterprises": Enterprise, "staff": Staff, "hazards": Hazard}


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_random_rows_are_imported_whole_or_refused_row_by_row_and_never_half_written(
    app: App, kind: str, tmp_path: Path, figures: Figures
) -> None:
    database = Path(app.loaded.database_url.removeprefix("sqlite:///"))
    tried = {"imported": 0, "refused": 0}

    @settings(max_examples=EXAMPLES_RUN, deadline=None, derandomize=False,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(table=tables(SPECS[kind]), form=st.sampled_from(["utf-8", "bom", "gbk", "xlsx"]))
    def check(table: tuple[list[str], list[list[str]]], form: str) -> None:
        header = table[0]
        path, rows = write(tmp_path / f"{kind}-random", *table, form)
        before = checksum(database)
        try:
            with app.sessions.begin() as session:
                importer(app, kind)(session, path)
        except DataError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.startswith(str(path)), problem
                row = re.match(re.escape(str(path)) + r":(\d+):", problem)
                assert row is None or 1 <= int(row[1]) <= len(rows) + 1, problem
            assert checksum(database) == before, "a refused file changed the database"
            tried["refused"] += 1
        else:
            # Imported whole: every code the file gives is now in the database.
            code = SPECS[kind][0]
            at = [i for i, h in enumerate(header) if h in code.headers]
            codes = {r[at[0]].strip() for r in rows if at and r[at[0]].strip()}
            with app.sessions() as session:
                stored = set(session.scalars(select(MODELS[kind].code)))
            assert codes <= stored, f"imported, yet missing: {codes - stored}"
            tried["imported"] += 1
        finally:
            path.unlink()

    check()
    assert tried["refused"] > 0
    Figures(figures.store, f"random rows: {kind}").record(**tried)
