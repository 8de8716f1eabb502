"""Read CSV (UTF-8, UTF-8 with BOM, GBK as Excel writes it in China) and XLSX tables whose
headers may be Chinese or English, and turn rows into records, listing every bad row as
``FILE:ROW: column: reason``. Nothing here writes to the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler import datafiles
from scheduler.cells import unquote
from scheduler.config.hardening import ImportLimits

DEFAULT_LIMITS = ImportLimits()


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


def read_rows(path: Path, columns: Iterable[Column], limits: ImportLimits = DEFAULT_LIMITS) -> list[Row]:
    """The file's data rows keyed by column field (all of them; see ``iter_rows``)."""
    return list(iter_rows(path, columns, limits))


def iter_rows(path: Path, columns: Iterable[Column], limits: ImportLimits = DEFAULT_LIMITS) -> Iterator[Row]:
    """The file's data rows keyed by column field, one at a time; raises DataError for an
    unreadable or oversized file, unknown or missing required columns, too many rows."""
    columns = list(columns)
    reader = datafiles.xlsx_rows if path.suffix.lower() in (".xlsx", ".xlsm") else datafiles.csv_rows
    table = _named(path, reader(path, limits))
    header = next(table, None)
    if header is None:
        raise DataError([f"{path}: the file is empty (expected a header row)"])
    mapping = _columns(path, header, columns)
    count = 0
    for number, cells in enumerate(table, start=2):
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if count > limits.max_rows:
            raise DataError([f"{path}: more than {limits.max_rows:,} rows (security.imports.max_rows); "
                             "split the file, or raise the limit in config.toml"])
        yield Row(number, {col.field: unquote(cells[i].strip()) if i < len(cells) else ""
                           for i, col in mapping.items()})


def _named(path: Path, rows: Iterator[list[str]]) -> Iterator[list[str]]:
    try:
        yield from rows
    except datafiles.FileProblem as exc:
        raise DataError([f"{path}: {exc}"]) from None


def _columns(path: Path, header: list[str], columns: list[Column]) -> dict[int, Column]:
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
    return mapping


def parse_records(path: Path, rows: Iterable[Row], columns: Iterable[Column]) -> tuple[list[dict[str, Any]], list[str]]:
    """Apply each column's parser: (records of the rows that parsed, a problem per bad cell).

    Callers run their row checks on the records and raise DataError with both lists, so one
    attempt shows the clerk every mistake in the file.
    """
    problems = Problems()
    return list(parse_rows(path, rows, columns, problems)), problems


def parse_rows(path: Path, rows: Iterable[Row], columns: Iterable[Column], problems: list[str]
               ) -> Iterator[dict[str, Any]]:
    """``parse_records`` one row at a time: the records of the rows that parsed; a problem per
    bad cell is added to ``problems``."""
    columns = list(columns)
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
            yield record


class Problems(list[str]):
    """A file's problems, at most ``KEPT`` of them (a file of a million bad rows would otherwise
    fill memory with messages nobody reads); ``more`` counts the rest."""

    KEPT = 500

    def __init__(self) -> None:
        super().__init__()
        self.more = 0

    def append(self, problem: str) -> None:
        if len(self) < self.KEPT:
            super().append(problem)
        else:
            self.more += 1

    def extend(self, problems: Iterable[str]) -> None:
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[str]) -> Problems:  # type: ignore[override,misc]
        self.extend(problems)
        return self

    def listed(self) -> list[str]:
        """In file order, with a last line for the ones not kept."""
        return by_row(list(self)) + ([f"… and {self.more:,} more problems"] if self.more else [])


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
