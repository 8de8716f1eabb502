"""Read CSV (UTF-8, UTF-8 with BOM, GBK as Excel writes it in China) and XLSX tables whose
headers may be Chinese or English, and turn rows into records, listing every bad row as
``FILE:ROW: column: reason``. Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.cells import unquote


class DataError(Exception):
    """A data file that cannot be imported; ``problems`` lists every reason, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Column:
    field: str
    headers: tuple[str, ...]
    required: bool = False
    parse: Callable[[str], Any] = str
    multiline: bool = False  # a free text that may hold line breaks and tabs (描述, 措施)

    @property
    def label(self) -> str:
        return self.headers[0]

    def convert(self, text: str) -> Any:
        """The cell's value; ValueError with a reason a clerk can act on."""
        if self.multiline:
            text = text.replace("\r\n", "\n")
        if (bad := control_character(text, self.multiline)) is not None:
            raise ValueError(f"contains the control character U+{ord(bad):04X} (remove it"
                             + ("" if self.multiline else "; line breaks belong only in free text") + ")")
        return self.parse(text)


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]


def read_rows(path: Path, columns: Iterable[Column]) -> list[Row]:
    """The file's data rows keyed by column field; raises DataError for unreadable files,
    unknown or missing required columns."""
    columns = list(columns)
    table = _read_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _read_csv(path)
    if not table:
        raise DataError([f"{path}: the file is empty (expected a header row)"])
    header, *body = table
    by_header = {h.strip().lower(): c for c in columns for h in c.headers}
    mapping: dict[int, Column] = {}
    problems: list[str] = []
    for index, title in enumerate(header):
        title = title.strip()
        if not title:
            continue
        column = by_header.get(title.lower())
        if column is None:
            known = "、".join(c.label for c in columns)
            problems.append(f"{path}:1: unknown column {title!r} (known columns: {known})")
        elif column in mapping.values():
            problems.append(f"{path}:1: column {title!r} appears twice")
        else:
            mapping[index] = column
    present = set(mapping.values())
    for column in columns:
        if column.required and column not in present:
            problems.append(f"{path}:1: missing required column {column.label!r}")
    if problems:
        raise DataError(problems)
    rows = []
    for number, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {col.field: unquote(cells[i].strip()) if i < len(cells) else "" for i, col in mapping.items()}
        rows.append(Row(number, values))
    return rows


def parse_records(path: Path, rows: list[Row], columns: Iterable[Column]) -> tuple[list[dict[str, Any]], list[str]]:
    """Apply each column's parser: (records of the rows that parsed, a problem per bad cell).

    Callers run their row checks on the records and raise DataError with both lists, so one
    attempt shows the clerk every mistake in the file.
    """
    columns = list(columns)
    records, problems = [], []
    for row in rows:
        record: dict[str, Any] = {"_row": row.number}
        bad_row = False
        for column in columns:
            text = row.values.get(column.field, "")
            if column.required and not text:
                problems.append(f"{path}:{row.number}: {column.label}: is empty")
                bad_row = True
                continue
            try:
                record[column.field] = column.convert(text)
            except ValueError as exc:
                problems.append(f"{path}:{row.number}: {column.label}: {exc}")
                bad_row = True
        if not bad_row:
            records.append(record)
    return records, problems


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def control_character(text: str, multiline: bool = False) -> str | None:
    """The first C0/C1 control character in ``text`` (a CR or an ESC sequence would be echoed
    raw by every table and log that shows the value), or None. Free text may hold \\n and \\t."""
    match = (_CONTROLS_BUT_LINES if multiline else _CONTROLS).search(text)
    return match[0] if match else None


def by_row(problems: list[str]) -> list[str]:
    """Problems in file order (``FILE:ROW: …``), header problems first."""

    def row_of(problem: str) -> int:
        parts = problem.split(":")
        return next((int(p) for p in parts[1:3] if p.strip().isdigit()), 0)

    return sorted(problems, key=row_of)


def _read_csv(path: Path) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError([f"{path}: cannot read the file ({exc.strerror})"]) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DataError([f"{path}: not UTF-8 or GBK text (save it as 'CSV UTF-8' or as .xlsx)"])
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise DataError([f"{path}: not a valid CSV file ({exc})"]) from None


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl  # imported here: loading it costs ~100 ms that CSV users need not pay

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or non-XLSX file
        raise DataError([f"{path}: not a readable .xlsx workbook ({exc})"]) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a mobile number typed into Excel comes back as 13800000000.0
    return str(value)


# Cell parsers shared by the importers. Each raises ValueError with a reason a clerk can act on.

def text(max_length: int = 200) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise ValueError(f"is longer than {max_length} characters")
        return value

    return parse


def mobile(value: str) -> str:
    digits = value.replace(" ", "").replace("-", "")
    if digits and not (len(digits) == 11 and digits.isdigit() and digits.startswith("1")):
        raise ValueError(f"{value!r} is not an 11-digit mobile number")
    return digits


EMAIL_CHARS = 254  # RFC 5321's limit on a path; every column that holds an address fits it
EMAIL_LOCAL_CHARS = 64


def email(value: str) -> str:
    if len(value) > EMAIL_CHARS:
        raise ValueError(f"is longer than {EMAIL_CHARS} characters, too long for an e-mail address")
    if value and ("@" not in value or " " in value or value.startswith("@") or "." not in value.split("@")[-1]
                  or len(value.rsplit("@", 1)[0]) > EMAIL_LOCAL_CHARS):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def date(value: str) -> dt.date | None:
    if not value:
        return None
    for candidate in (value, value.replace("/", "-").replace(".", "-")):
        try:
            return dt.date.fromisoformat(candidate)
        except ValueError:
            pass
    try:
        return dt.datetime.strptime(value, "%Y年%m月%d日").date()
    except ValueError:
        raise ValueError(f"{value!r} is not a date (write 2026-06-01)") from None


def listing(value: str) -> list[str]:
    """A list written with any of 、 , ， ; ； as separators."""
    for sep in ("、", "，", ";", "；"):
        value = value.replace(sep, ",")
    return [v.strip() for v in value.split(",") if v.strip()]
