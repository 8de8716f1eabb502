"""Import enterprises and staff from CSV/XLSX: all rows or none.

An import upserts by ``code``. With ``replace=True`` (how files named in config are synced)
the file is the whole list: rows missing from it are deactivated, never deleted, so hazards
and rosters that point at them keep their history.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import tabular
from scheduler.people.models import Enterprise, Staff
from scheduler.tabular import Column, DataError
from scheduler.vocab import Category, ContactDuty, Role


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


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    deactivated: int

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} updated, {self.deactivated} deactivated"


def import_enterprises(
    session: Session, path: Path, *, channels: Collection[str], replace: bool = False
) -> ImportResult:
    return _upsert(session, Enterprise, read_enterprises(path, channels), replace)


def import_staff(session: Session, path: Path, *, replace: bool = False) -> ImportResult:
    return _upsert(session, Staff, read_staff(path), replace)


def read_enterprises(path: Path, channels: Collection[str]) -> list[dict[str, Any]]:
    """Parse and check an enterprises file without touching the database; raises DataError."""
    records, problems = tabular.parse_records(path, tabular.read_rows(path, ENTERPRISE_COLUMNS), ENTERPRISE_COLUMNS)
    problems += _duplicates(path, records, "code", "编码")
    for r in records:
        where = f"{path}:{r['_row']}"
        if r["grade"] and r["category"] is not Category.SCENIC_AREA:
            problems.append(f"{where}: 等级: only A级旅游景区 have a grade")
        if not any(r[f"{d.value}_mobile"] or r[f"{d.value}_email"] for d in ContactDuty):
            problems.append(f"{where}: no contact has a mobile or e-mail; the enterprise could not be reached")
        if r["bot_channel"] and r["bot_channel"] not in channels:
            problems.append(f"{where}: 机器人通道: channel {r['bot_channel']!r} is not defined in config")
    if problems:
        raise DataError(tabular.by_row(problems))
    return [{**r, "category": r["category"].value} for r in records]


def read_staff(path: Path) -> list[dict[str, Any]]:
    """Parse and check a staff file without touching the database; raises DataError."""
    records, problems = tabular.parse_records(path, tabular.read_rows(path, STAFF_COLUMNS), STAFF_COLUMNS)
    for r in records:
        r["code"] = r["code"] or r["name"]
    problems += _duplicates(path, records, "code", "工号/姓名")
    for r in records:
        if not r["mobile"] and not r["email"]:
            problems.append(f"{path}:{r['_row']}: {r['name']} has neither mobile nor e-mail")
    if problems:
        raise DataError(tabular.by_row(problems))
    return [
        {
            **r,
            "roles": ",".join(sorted(role.value for role in r["roles"])),
            "supervises_categories": ",".join(c.value for c in r["supervises_categories"]),
            "supervises_regions": ",".join(r["supervises_regions"]),
        }
        for r in records
    ]


def _duplicates(path: Path, records: list[dict[str, Any]], field: str, label: str) -> list[str]:
    first: dict[str, int] = {}
    problems = []
    for r in records:
        value = r[field]
        if value in first:
            problems.append(f"{path}:{r['_row']}: {label}: {value!r} already used on row {first[value]}")
        else:
            first[value] = r["_row"]
    return problems


def _upsert(session: Session, model: Any, rows: list[dict[str, Any]], replace: bool) -> ImportResult:
    existing = {obj.code: obj for obj in session.scalars(select(model))}
    created = updated = 0
    for row in rows:
        values = {k: v for k, v in row.items() if not k.startswith("_")}
        obj = existing.pop(values["code"], None)
        if obj is None:
            session.add(model(**values, active=True))
            created += 1
        else:
            changed = not obj.active or any(getattr(obj, k) != v for k, v in values.items())
            for k, v in values.items():
                setattr(obj, k, v)
            obj.active = True
            updated += changed
    deactivated = 0
    if replace:
        for obj in existing.values():
            if obj.active:
                obj.active = False
                deactivated += 1
    session.flush()
    return ImportResult(created, updated, deactivated)
