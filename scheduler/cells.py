"""Cells for CSV and XLSX exports, so that no data value ever becomes a live formula.

A staff name ``=HYPERLINK("http://…","点击")`` would otherwise be a clickable formula in the
roster a clerk opens in Excel or WPS (OWASP "CSV injection").

- CSV: a text starting with ``= + - @``, a tab or a carriage return gets a leading ``'``
  (OWASP's rule; spreadsheets show the text as it was). The importers drop that quote again,
  so an exported file imports back unchanged.
- XLSX: every text is written as a string cell (openpyxl would make ``=…`` a formula), dates
  and numbers as typed cells; a workbook written here holds no formula at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def csv_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return QUOTE + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_text(v) for v in values]


def csv_record(record: Mapping[str, object]) -> dict[str, object]:
    return {k: csv_text(v) for k, v in record.items()}


def unquote(text: str) -> str:
    """An imported cell as it was before ``csv_text`` quoted it."""
    if text.startswith(QUOTE) and text[1:2] and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


def xlsx_append(sheet: Any, values: Iterable[object]) -> None:
    """Append a row whose texts are string cells, never formulas."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
        elif cell.value is not None and not isinstance(cell.value, int | float | dt.date | dt.time | dt.timedelta):
            cell.value, cell.data_type = str(cell.value), "s"
