"""Import enterprises and staff from CSV/XLSX: all rows or none.

An import upserts by ``code``. With ``replace=True`` (how files named in config are synced)
the file is the whole list: rows missing from it are deactivated, never deleted, so hazards
and rosters that point at them keep their history.

A file is read and checked in full first, one row at a time (``parse_*``: nothing is kept but
the codes seen and the good records, spooled to disk), and only then written (``apply``), so
a write transaction never waits on parsing and memory does not grow with the file.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scheduler import tabular
from scheduler.config.hardening import ImportLimits
from scheduler.config.warning_relay import VENUE_FEATURES
from scheduler.people.upsert import ImportResult, Spool, upsert
from scheduler.tabular import DEFAULT_LIMITS, Column, DataError, Problems
from scheduler.vocab import Category, ContactDuty, Role

if TYPE_CHECKING:  # reading and checking a file (`safeduty check`) needs no SQLAlchemy
    from sqlalchemy.orm import Session


def _vocab(cls: Any, *, many: bool = False) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        if many:
            return [cls.parse(v) for v in tabular.listing(value)]
        return cls.parse(value) if value else None

    return parse


def _grade(value: str) -> str:
    grade = value.upper().replace("Ａ", "A").replace("级", "")
    if grade and grade not in ("1A", "2A", "3A", "4A", "5A"):
        raise ValueError(f"{value!r} is not a scenic-area grade (1A–5A)")
    return grade


def _contact_columns(duty: ContactDuty, english: str) -> list[Column]:
    return [
        Column(f"{duty.value}_name", (duty.label, f"{duty.label}姓名", f"{english}_name", english), parse=tabular.text(64)),
        Column(f"{duty.value}_mobile", (f"{duty.label}手机", f"{duty.label}电话", f"{english}_mobile"), parse=tabular.mobile),
        Column(f"{duty.value}_email", (f"{duty.label}邮箱", f"{english}_email"), parse=tabular.email),
    ]


ENTERPRISE_COLUMNS: tuple[Column, ...] = (
    Column("code", ("编码", "统一社会信用代码", "code"), required=True, parse=tabular.text(64)),
    Column("name", ("名称", "企业名称", "单位名称", "name"), required=True, parse=tabular.text(200)),
    Column("category", ("类别", "行业类别", "category"), required=True, parse=_vocab(Category)),
    Column("grade", ("等级", "景区等级", "grade"), parse=_grade),
    Column("region", ("行政区划", "所在地区", "region"), parse=tabular.text(64)),
    *_contact_columns(ContactDuty.PRINCIPAL, "principal"),
    *_contact_columns(ContactDuty.SAFETY_MANAGER, "safety_manager"),
    *_contact_columns(ContactDuty.WARNING_CONTACT, "warning_contact"),
    Column("bot_channel", ("机器人通道", "bot_channel"), parse=tabular.text(64)),
    Column("venue_features", ("场所特征", "venue_features"), parse=tabular.listing),
)

STAFF_COLUMNS: tuple[Column, ...] = (
    Column("code", ("工号", "编号", "code"), parse=tabular.text(64)),
    Column("name", ("姓名", "name"), required=True, parse=tabular.text(64)),
    Column("roles", ("角色", "职责", "roles"), required=True, parse=_vocab(Role, many=True)),
    Column("team", ("班组", "处室", "team"), parse=tabular.text(64)),
    Column("mobile", ("手机", "手机号", "mobile"), parse=tabular.mobile),
    Column("email", ("邮箱", "email"), parse=tabular.email),
    Column("feishu_open_id", ("飞书open_id", "飞书ID", "feishu_open_id"), parse=tabular.text(64)),
    Column("supervises_categories", ("监管类别", "supervises_categories"), parse=_vocab(Category, many=True)),
    Column("supervises_regions", ("监管区域", "supervises_regions"), parse=tabular.listing),
)


def import_enterprises(
    session: Session, path: Path, *, channels: Collection[str], replace: bool = False,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    with parse_enterprises(path, channels, limits) as parsed:
        return apply(session, "enterprises", parsed, replace)


def import_staff(session: Session, path: Path, *, replace: bool = False,
                 limits: ImportLimits = DEFAULT_LIMITS) -> ImportResult:
    with parse_staff(path, limits) as parsed:
        return apply(session, "staff", parsed, replace)


def apply(session: Session, name: str, parsed: Spool, replace: bool) -> ImportResult:
    """Write a file parsed by ``parse_enterprises``/``parse_staff`` ("enterprises"/"staff")."""
    from scheduler.people.models import Enterprise, Staff

    return upsert(session, Enterprise if name == "enterprises" else Staff, parsed, replace)


def parse_enterprises(path: Path, channels: Collection[str], limits: ImportLimits = DEFAULT_LIMITS) -> Spool:
    """Read and check a whole enterprises file without touching the database, its records
    spooled to disk; raises DataError listing every bad row."""
    return _spooled(_enterprises(path, channels, limits), ENTERPRISE_FIELDS)


def parse_staff(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> Spool:
    return _spooled(_staff(path, limits), STAFF_FIELDS)


def read_enterprises(path: Path, channels: Collection[str], limits: ImportLimits = DEFAULT_LIMITS
                     ) -> list[dict[str, Any]]:
    """Parse and check an enterprises file without touching the database; raises DataError."""
    return _all(_enterprises(path, channels, limits))


def read_staff(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> list[dict[str, Any]]:
    """Parse and check a staff file without touching the database; raises DataError."""
    return _all(_staff(path, limits))


ENTERPRISE_FIELDS = tuple(c.field for c in ENTERPRISE_COLUMNS)
STAFF_FIELDS = tuple(c.field for c in STAFF_COLUMNS)


def _enterprises(path: Path, channels: Collection[str], limits: ImportLimits
                 ) -> Iterator[tuple[dict[str, Any] | None, Problems]]:
    """(record, problems so far) per good row, then (None, every problem)."""
    problems = Problems()
    first: dict[str, int] = {}
    rows = tabular.iter_rows(path, ENTERPRISE_COLUMNS, limits)
    for r in tabular.parse_rows(path, rows, ENTERPRISE_COLUMNS, problems):
        where = f"{path}:{r['_row']}"
        before = len(problems) + problems.more
        _duplicate(problems, first, path, r, "code", "编码")
        if r["grade"] and r["category"] is not Category.SCENIC_AREA:
            problems.append(f"{where}: 等级: only A级旅游景区 have a grade")
        if not any(r[f"{d.value}_mobile"] or r[f"{d.value}_email"] for d in ContactDuty):
            problems.append(f"{where}: no contact has a mobile or e-mail; the enterprise could not be reached")
        if r["bot_channel"] and r["bot_channel"] not in channels:
            problems.append(f"{where}: 机器人通道: channel {r['bot_channel']!r} is not defined in config")
        odd = [f for f in r["venue_features"] if f not in VENUE_FEATURES]
        if odd:
            problems.append(f"{where}: 场所特征: unknown feature {odd[0]!r} (one of: {'、'.join(VENUE_FEATURES)})")
        if len(problems) + problems.more == before:
            yield {**r, "category": r["category"].value, "venue_features": ",".join(r["venue_features"])}, problems
    yield None, problems


def _staff(path: Path, limits: ImportLimits) -> Iterator[tuple[dict[str, Any] | None, Problems]]:
    problems = Problems()
    first: dict[str, int] = {}
    rows = tabular.iter_rows(path, STAFF_COLUMNS, limits)
    for r in tabular.parse_rows(path, rows, STAFF_COLUMNS, problems):
        r["code"] = r["code"] or r["name"]
        before = len(problems) + problems.more
        _duplicate(problems, first, path, r, "code", "工号/姓名")
        if not r["mobile"] and not r["email"]:
            problems.append(f"{path}:{r['_row']}: {r['name']} has neither mobile nor e-mail")
        if len(problems) + problems.more == before:
            yield {
                **r,
                "roles": ",".join(sorted(role.value for role in r["roles"])),
                "supervises_categories": ",".join(c.value for c in r["supervises_categories"]),
                "supervises_regions": ",".join(r["supervises_regions"]),
            }, problems
    yield None, problems


def _duplicate(problems: Problems, first: dict[str, int], path: Path, record: dict[str, Any], field: str,
               label: str) -> None:
    value = record[field]
    if value in first:
        problems.append(f"{path}:{record['_row']}: {label}: {value!r} already used on row {first[value]}")
    else:
        first[value] = record["_row"]


def _spooled(found: Iterator[tuple[dict[str, Any] | None, Problems]], fields: tuple[str, ...]) -> Spool:
    spool = Spool(fields)
    try:
        for record, problems in found:
            if record is None:
                if problems or problems.more:
                    raise DataError(problems.listed())
            elif not problems:
                spool.add(record)  # once a problem is found, nothing more is kept: it will fail
    except BaseException:
        spool.close()
        raise
    return spool


def _all(found: Iterator[tuple[dict[str, Any] | None, Problems]]) -> list[dict[str, Any]]:
    records = []
    for record, problems in found:
        if record is None:
            if problems or problems.more:
                raise DataError(problems.listed())
        else:
            records.append(record)
    return records
