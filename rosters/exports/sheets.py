"""CSV and XLSX rosters, with Chinese headings, byte-identical for the same roster."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence

from rosters.exports.rows import HEADINGS, RosterRow
from scheduler.cells import csv_row, xlsx_append

# Zip entries and workbook properties carry timestamps; pinning them keeps the bytes stable.
FIXED_TIME = dt.datetime(2000, 1, 1)


def to_csv(rows: Sequence[RosterRow]) -> bytes:
    """UTF-8 with a BOM, so Excel in China opens it without garbling the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow(csv_row(row.cells()))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[RosterRow], title: str) -> bytes:
    # Imported here: openpyxl costs about 13 MB of memory that the service and the other
    # commands need not hold (every command module is imported at start).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    sheet = book.active
    sheet.title = "值班表"
    xlsx_append(sheet, [title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADINGS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    xlsx_append(sheet, HEADINGS)
    thin = Side(style="thin")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        # The date as a date (Excel sorts, filters and formats it), not as text.
        xlsx_append(sheet, [row.day.date, *row.cells()[1:]])
        sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd"
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for column, width in zip("ABCDEFGH", (12, 8, 20, 12, 14, 18, 26, 8), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    book.properties.creator = "safeduty"
    book.properties.created = book.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which stamps "modified" with the current time.
    ExcelWriter(book, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    return _pin_zip(raw.getvalue())


def _pin_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times (openpyxl stamps each entry with the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            target.writestr(pinned, source.read(info.filename))
    return out.getvalue()
