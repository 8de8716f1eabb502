"""What the importers accept: lengths that fit every column a value reaches, no control
characters, and (below) how the encoding of a CSV file is decided."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import String, create_engine, inspect

from scheduler import migrate
from scheduler.db import Base
from scheduler.people.imports import read_enterprises, read_staff
from scheduler.tabular import DataError

STAFF = "工号,姓名,角色,班组,手机,邮箱\n"
ENTERPRISES = "编码,名称,类别,主要负责人,主要负责人手机,主要负责人邮箱\n"


def staff_file(tmp_path: Path, row: str) -> Path:
    path = tmp_path / "staff.csv"
    path.write_text(STAFF + row + "\n", encoding="utf-8")
    return path


def refusal(read, path: Path) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError) as failure:
        read(path)
    return "\n".join(failure.value.problems)


def test_an_e_mail_address_longer_than_254_characters_is_refused(tmp_path: Path) -> None:
    address = "a" * 60 + "@" + "b" * 100_000 + ".cn"
    assert "邮箱: is longer than 254 characters" in refusal(read_staff, staff_file(tmp_path, f"S1,王一,值班员,,,{address}"))
    longest = "a" * 64 + "@" + "b" * 186 + ".cn"
    assert len(longest) == 254
    assert read_staff(staff_file(tmp_path, f"S1,王一,值班员,,,{longest}"))[0]["email"] == longest


def test_an_e_mail_local_part_longer_than_64_characters_is_refused(tmp_path: Path) -> None:
    assert "is not an e-mail address" in refusal(read_staff, staff_file(tmp_path, f"S1,王一,值班员,,,{'a' * 65}@x.cn"))


def test_an_enterprise_name_longer_than_its_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(ENTERPRISES + f"C1,{'景' * 201},A级旅游景区,王一,13900000001,\n", encoding="utf-8")
    assert "名称: is longer than 200 characters" in refusal(lambda p: read_enterprises(p, ()), path)


@pytest.mark.parametrize(("value", "char"), [("王\r一", "000D"), ("王\x1b[31m一", "001B"), ("王\n一", "000A"),
                                             ("王\x00一", "0000"), ("王\x9b一", "009B")])
def test_control_characters_are_refused_naming_the_column(tmp_path: Path, value: str, char: str) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(STAFF + f'S1,"{value}",值班员,,13800000001,\n', encoding="utf-8")
    assert f"staff.csv:2: 姓名: contains the control character U+{char}" in refusal(read_staff, path)


def test_a_control_character_in_a_code_is_refused_too(tmp_path: Path) -> None:
    # A 工号 with CRLF once added an ATTENDEE line to the roster's calendar feed.
    path = tmp_path / "staff.csv"
    path.write_text(STAFF + '"S1\r\nATTENDEE:mailto:x@evil.example",王一,值班员,,13800000001,\n', encoding="utf-8")
    problems = refusal(read_staff, path)
    assert "工号: contains the control character U+000D" in problems


@pytest.mark.postgres
def test_every_bounded_column_is_as_long_in_the_migrated_database_as_in_the_model(pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        migrate.upgrade(engine)
        found = inspect(engine)
        for table in Base.metadata.sorted_tables:
            if not found.has_table(table.name):
                continue
            lengths = {c["name"]: getattr(c["type"], "length", None) for c in found.get_columns(table.name)}
            for column in table.columns:
                if isinstance(column.type, String) and column.type.length:
                    assert lengths[column.name] == column.type.length, f"{table.name}.{column.name}"
    finally:
        engine.dispose()
