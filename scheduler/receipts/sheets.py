"""CSV and XLSX tables for reporting upward (零报告 of a day, the month's 交接班 log).

What people typed goes into cells: a cell starting with = + - @ (or a tab/return) is prefixed with
an apostrophe, so a spreadsheet shows it as text and never runs it as a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence

from rosters.exports.sheets import FIXED_TIME, _pin_zip

Cell = str | int
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(headings: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM, so Excel in China opens it without garbling the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headings)
    for row in rows:
        writer.writerow([neutral(c) for c in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(title: str, headings: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[int],
            sheet_name: str) -> bytes:
    from openpyxl import Workbook  # imported here: openpyxl is large, and only exports need it
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(headings))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutral(c) for c in row])
    thin = Side(style="thin")
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    book.properties.creator = "safeduty"
    book.properties.created = book.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    return _pin_zip(raw.getvalue())
