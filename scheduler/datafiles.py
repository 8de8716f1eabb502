"""Data files (CSV, XLSX) read as a stream of rows of cells, within the configured limits.

- Size: a CSV larger than ``security.imports.max_megabytes``, or an XLSX whose content unpacks
  to more, is refused before anything is read (an XLSX is a zip: a small file can unpack huge).
- Rows are read one at a time (csv.reader over the open file; openpyxl's read-only mode), so
  memory does not grow with the file; the row limit is applied by the caller (tabular).
- The encoding of a CSV is decided from the whole file, never guessed from a failure: a UTF-8
  BOM means UTF-8; otherwise a file that is valid UTF-8 is UTF-8, one that is mostly UTF-8
  (a stray byte or two among valid multi-byte characters) is refused with the offset and line
  of the first bad byte, and only a file that is not UTF-8 at all is read as GBK (GB18030, as
  Excel saves "CSV" on a Chinese Windows), if it is valid GB18030 throughout.
"""

from __future__ import annotations

import codecs
import contextvars
import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.config.hardening import ImportLimits

CHUNK = 1 << 20
# A file whose valid multi-byte characters outnumber its bad bytes this many times over is
# UTF-8 with damage, not another encoding: GBK text read as UTF-8 fails on nearly every character.
MOSTLY = 10
_ASCII = bytes(range(128))


class FileProblem(Exception):
    """Why a data file cannot be read (the caller names the file)."""


def csv_rows(path: Path, limits: ImportLimits) -> Iterator[list[str]]:
    size = _size(path)
    if size > limits.max_bytes:
        raise FileProblem(f"the file is {size / 1e6:,.0f} MB, more than security.imports.max_megabytes "
                          f"({limits.max_megabytes} MB); split it, or raise the limit in config.toml")
    encoding = text_encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as fh:
            yield from csv.reader(fh)
    except csv.Error as exc:
        raise FileProblem(f"not a valid CSV file ({exc})") from None
    except OSError as exc:
        raise FileProblem(f"cannot read the file ({exc.strerror})") from None


def xlsx_rows(path: Path, limits: ImportLimits) -> Iterator[list[str]]:
    import openpyxl  # imported here: loading it costs ~100 ms that CSV users need not pay

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(f"not a readable .xlsx workbook ({exc})") from None
    if unpacked > limits.max_bytes:
        raise FileProblem(f"the workbook unpacks to {unpacked / 1e6:,.0f} MB, more than "
                          f"security.imports.max_megabytes ({limits.max_megabytes} MB)")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or non-XLSX file
        raise FileProblem(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        book.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise FileProblem(f"cannot read the file ({exc.strerror})") from None


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


# The encoding

@dataclass
class _Damage:
    first: int | None = None  # offset of the first byte that is not part of a character
    bad: int = 0  # such bytes (or runs)
    base: int = 0  # offset of the bytes being decoded


_damage: contextvars.ContextVar[_Damage] = contextvars.ContextVar("safeduty_damage")


def _count(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    damage = _damage.get()
    damage.bad += 1
    if damage.first is None:
        damage.first = damage.base + exc.start
    return "\ufffd", exc.end


codecs.register_error("safeduty-count", _count)


def text_encoding(path: Path) -> str:
    """How to read ``path``: "utf-8-sig", "utf-8" or "gb18030"; FileProblem when it is damaged
    UTF-8 (naming the first bad byte) or neither encoding."""
    with path.open("rb") as fh:
        bom = fh.read(3) == codecs.BOM_UTF8
    good, damage = _scan(path, "utf-8")
    if damage.first is None:
        return "utf-8-sig" if bom else "utf-8"
    if bom or good >= MOSTLY * damage.bad:
        line = _line_of(path, damage.first)
        raise FileProblem(f"not valid UTF-8: the byte at offset {damage.first:,} (line {line}) is not part of any "
                          f"character, though the rest is UTF-8; correct the text around it, or save the file "
                          f"again as 'CSV UTF-8'")
    _, gbk = _scan(path, "gb18030")
    if gbk.first is not None:
        line = _line_of(path, gbk.first)
        raise FileProblem(f"not UTF-8 or GBK text (the byte at offset {gbk.first:,}, line {line}, is neither; "
                          "save it as 'CSV UTF-8' or as .xlsx)")
    return "gb18030"


def _scan(path: Path, encoding: str) -> tuple[int, _Damage]:
    """(characters beyond ASCII that decoded, the damage) of the whole file in ``encoding``."""
    decoder = codecs.getincrementaldecoder(encoding)("safeduty-count")
    damage = _Damage()
    token = _damage.set(damage)
    good = fed = 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                damage.base = fed - len(getattr(decoder, "buffer", b""))
                before = damage.bad
                text = decoder.decode(chunk)
                fed += len(chunk)
                good += len(text) - len(text.encode("ascii", "ignore")) - (damage.bad - before)
                if damage.bad > 64 and good < damage.bad:
                    break  # plainly not this encoding: no need to read on
            damage.base = fed - len(getattr(decoder, "buffer", b""))
            decoder.decode(b"", final=True)
    finally:
        _damage.reset(token)
    return good, damage


def _line_of(path: Path, offset: int) -> int:
    with path.open("rb") as fh:
        return fh.read(offset).count(b"\n") + 1
