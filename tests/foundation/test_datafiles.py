"""Big and damaged data files: limits refused at once, rows streamed, the file read before the
write transaction, and the encoding decided from the whole file (never guessed from a failure)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import openpyxl
import pytest

from scheduler.app import App
from scheduler.config.hardening import ImportLimits
from scheduler.people.imports import read_staff
from scheduler.tabular import DataError

STAFF = "工号,姓名,角色,班组,手机,邮箱\n"


def person(i: int) -> str:
    return f"S{i:05d},张三{i},值班员,安全科,138{i:08d},s{i}@example.cn\n"


DEFAULTS = ImportLimits()


def refused(path: Path, limits: ImportLimits = DEFAULTS) -> list[str]:
    with pytest.raises(DataError) as failure:
        read_staff(path, limits)
    return failure.value.problems


def test_a_utf8_file_with_a_stray_byte_pair_is_refused_naming_its_offset_and_line(tmp_path: Path) -> None:
    # Read as GB18030 it "worked": 张三 became 寮犱笁 and was imported without a word.
    good = (STAFF + person(1) + person(2)).encode("utf-8")
    offset = good.index("张三2".encode())
    path = tmp_path / "staff.csv"
    path.write_bytes(good[:offset] + b"\xb1\xa1" + good[offset:])
    (problem,) = refused(path)
    assert f"not valid UTF-8: the byte at offset {offset:,} (line 3)" in problem
    assert "save the file again as 'CSV UTF-8'" in problem


def test_a_file_with_a_utf8_bom_is_utf8_even_when_damaged_early(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(b"\xef\xbb\xbf" + STAFF.encode() + b"S1,\xd5\xc5,\xd6\xb5\xb0\xe0\xd4\xb1,,13800000001,\n")
    assert "not valid UTF-8: the byte at offset" in refused(path)[0]


def test_gbk_files_are_read_as_gbk_whatever_their_share_of_chinese(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes((STAFF + person(1)).encode("gbk") + ("".join(person(i) for i in range(2, 200))).encode("gbk"))
    assert read_staff(path)[0]["name"] == "张三1"


def test_a_file_over_the_row_limit_is_refused_saying_which_limit(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(STAFF + "".join(person(i) for i in range(6)), encoding="utf-8")
    assert len(read_staff(path, ImportLimits(max_rows=6))) == 6
    assert refused(path, ImportLimits(max_rows=5)) == [
        f"{path}: more than 5 rows (security.imports.max_rows); split the file, or raise the limit in config.toml"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(STAFF.encode() + b"\xff" * (1024 * 1024 + 1))  # not even text: never looked at
    (problem,) = refused(path, ImportLimits(max_megabytes=1))
    assert "more than security.imports.max_megabytes (1 MB)" in problem


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "staff.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["工号", "姓名", "角色", "手机"])
    for _ in range(60):
        book.active.append(["S1", "张" * 32000, "值班员", "13800000001"])
    book.save(path)
    assert path.stat().st_size < 1024 * 1024
    (problem,) = refused(path, ImportLimits(max_megabytes=1))
    assert "the workbook unpacks to" in problem and "max_megabytes (1 MB)" in problem


def test_a_file_of_many_bad_rows_lists_the_first_500_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(STAFF + "".join(f"S{i},王{i},值班员,,12345,\n" for i in range(2000)), encoding="utf-8")
    problems = refused(path)
    assert len(problems) == 501 and problems[-1] == "… and 1,500 more problems"


def test_no_writer_waits_while_a_refused_file_is_read(app: App, project: Path) -> None:
    """On main the whole file was parsed inside the write transaction: other writers waited
    (and, past their busy timeout, failed with "database is locked") while nothing was written."""
    app.service.sync_data()
    rows = "".join(person(i) for i in range(60_000)) + "S99999,坏行,不是角色,,13800000001,\n"
    (project.parent / "staff.csv").write_text(STAFF + rows, encoding="utf-8")
    database = project.parent / "var" / "safeduty.db"
    done = threading.Event()
    outcome = {"written": 0, "locked": 0}

    def other_writer() -> None:
        db = sqlite3.connect(database, timeout=0.25, isolation_level=None)
        db.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
        while not done.is_set():
            try:
                db.execute("INSERT INTO probe VALUES (1)")
                outcome["written"] += 1
            except sqlite3.OperationalError:
                outcome["locked"] += 1
            done.wait(0.05)
        db.close()

    writer = threading.Thread(target=other_writer)
    writer.start()
    try:
        with pytest.raises(DataError):
            app.service.sync_data()
    finally:
        done.set()
        writer.join()
    assert outcome["written"] > 0 and outcome["locked"] == 0
