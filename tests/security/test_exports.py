"""No data value becomes a formula in any CSV or XLSX export (OWASP CSV injection)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from rosters.exports.sheets import to_csv, to_xlsx
from scheduler.app import App
from scheduler.hazards import export
from scheduler.hazards.imports import import_hazards
from scheduler.hazards.queries import Filters, listing
from scheduler.people.imports import read_staff
from tests.rosters.conftest import ROSTER_TOML, generate, open_book
from tests.support.clock import SHANGHAI, ManualClock, local
from tests.support.project import make_app, make_project

FORMULA = '=HYPERLINK("http://evil.example/x","点击")'
FEB = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


@pytest.mark.parametrize("value", [FORMULA, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_text_that_a_spreadsheet_would_evaluate_is_quoted_and_imports_back_unchanged(value: str) -> None:
    from scheduler.cells import csv_text, unquote

    assert csv_text(value) == "'" + value and unquote(str(csv_text(value))) == value


def test_ordinary_values_are_left_alone() -> None:
    from scheduler.cells import csv_text

    assert [csv_text(v) for v in ("王一", "13800000001", "2026-02-01", 5, None)] == \
        ["王一", "13800000001", "2026-02-01", 5, None]


@pytest.fixture
def formula_app(tmp_path: Path, clock: ManualClock) -> App:
    config = make_project(tmp_path / "p", ROSTER_TOML)
    staff = config.parent / "staff.csv"
    text = staff.read_text(encoding="utf-8")
    staff.write_text(text.replace("高峰", FORMULA.replace('"', '""').join('""')), encoding="utf-8")
    app = make_app(config, clock)
    app.service.sync_data()
    return app


def test_the_roster_exports_hold_no_formula(formula_app: App) -> None:
    assert any(r["name"] == FORMULA for r in read_staff(formula_app.loaded.resolve("staff.csv")))
    generate(formula_app, *FEB)
    with formula_app.sessions() as session:
        rows = open_book(formula_app, session).roster(*FEB)
    cells = [c for line in csv.reader(io.StringIO(to_csv(rows).decode("utf-8-sig"))) for c in line]
    assert "'" + FORMULA in " ".join(cells) and not any(c.startswith("=") for c in cells)
    data = to_xlsx(rows, "值班表")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheets = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert values and {c.data_type for c in values} == {"s"}
    formula_app.close()


def test_the_hazard_csv_holds_no_formula(app: App, clock: ManualClock, tmp_path: Path) -> None:
    clock.set(local(2026, 3, 2, 9, 0))
    app.service.sync_data()
    path = tmp_path / "hazards.csv"
    path.write_text("隐患编号,企业,隐患名称,隐患类别,隐患等级,发现日期,整改期限\n"
                    f'HZ-1,91140100EX0000001A,"{FORMULA.replace(chr(34), chr(34) * 2)}",管理,一般,2026-03-01,2026-03-20\n',
                    encoding="utf-8")
    with app.sessions.begin() as session:
        import_hazards(session, path, zone=SHANGHAI, now=clock.now(), actor="clerk", general_deadline_days=0)
    with app.sessions() as session:
        text = export.to_csv(listing(session, Filters()), SHANGHAI)
    cells = [c for line in csv.reader(io.StringIO(text)) for c in line]
    assert "'" + FORMULA in cells and not any(c.startswith(("=", "+", "@")) for c in cells)
