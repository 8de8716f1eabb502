"""`hazard import FILE`: a hazard ledger (隐患台账) in CSV or XLSX, all rows or none.

Rows are matched by 隐患编号. A new code registers a hazard; a known one is updated with the
columns the file has (a later 整改期限 is recorded as an extension, a new 状态 as a status change
along the lifecycle). Every bad row is listed as ``FILE:ROW: column: reason`` and nothing is
written: the rows are applied inside a savepoint that is rolled back when any row fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import tabular
from scheduler.config.hardening import ImportLimits
from scheduler.hazards import register
from scheduler.hazards.fields import EDITABLE, columns, labels
from scheduler.hazards.models import Hazard
from scheduler.hazards.register import HazardError
from scheduler.people.models import Enterprise
from scheduler.tabular import DEFAULT_LIMITS, DataError


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True)
class Ledger:
    """A hazard file read and parsed, before any transaction: its records, the columns it has,
    and the problems of its cells (listed together with the problems found applying it)."""

    path: Path
    records: list[dict[str, Any]]
    present: set[str]
    problems: list[str]


def read_ledger(path: Path, zone: ZoneInfo, limits: ImportLimits = DEFAULT_LIMITS) -> Ledger:
    specs = columns(zone)
    rows = tabular.read_rows(path, specs, limits)
    present = set(rows[0].values) if rows else set()
    records, problems = tabular.parse_records(path, rows, specs)
    return Ledger(path, records, present, list(problems))


@dataclass(frozen=True)
class Importer:
    session: Session
    zone: ZoneInfo
    now: dt.datetime
    actor: str
    general_deadline_days: int

    def run(self, source: Path | Ledger) -> ImportResult:
        ledger = source if isinstance(source, Ledger) else read_ledger(source, self.zone)
        path, records, present, problems = ledger.path, ledger.records, ledger.present, list(ledger.problems)
        duplicates = _duplicates(path, records)
        problems.extend(message for message, _ in duplicates)
        records = [r for r in records if r["_row"] not in {row for _, row in duplicates}]
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        enterprises = self._enterprises()
        known = {
            h.code: h
            for h in self.session.scalars(
                select(Hazard).where(Hazard.code.in_([r["code"] for r in records]))
            )
        }
        savepoint = self.session.begin_nested()
        for record in records:
            where = f"{path}:{record['_row']}"
            enterprise = enterprises.get(record["enterprise"])
            if enterprise is None:
                problems.append(
                    f"{where}: 企业: unknown enterprise {record['enterprise']!r} "
                    "(give its 编码 or exact 名称; import enterprises first)"
                )
                continue
            try:
                outcome = self._apply(record, enterprise, known.get(record["code"]), present, path)
            except HazardError as exc:
                problems.append(f"{where}: {exc}")
                continue
            counts[outcome] += 1
        if problems:
            savepoint.rollback()
            raise DataError(sorted(problems, key=_row_number))
        savepoint.commit()
        return ImportResult(**counts)

    def _enterprises(self) -> dict[str, Enterprise]:
        found: dict[str, Enterprise] = {}
        for enterprise in self.session.scalars(select(Enterprise).where(Enterprise.active)):
            found.setdefault(enterprise.name, enterprise)
            found[enterprise.code] = enterprise
        return found

    def _apply(
        self,
        record: dict[str, Any],
        enterprise: Enterprise,
        hazard: Hazard | None,
        present: set[str],
        path: Path,
    ) -> str:
        reason = f"从{path.name}导入"
        values = {k: v for k, v in record.items() if not k.startswith("_") and k != "enterprise"}
        if hazard is None:
            register.register(
                self.session,
                values,
                enterprise,
                actor=self.actor,
                now=self.now,
                zone=self.zone,
                general_deadline_days=self.general_deadline_days,
                reason=reason,
            )
            return "created"
        if hazard.enterprise_id != enterprise.id:
            raise HazardError(
                f"企业: {hazard.code} belongs to {hazard.enterprise.name}; it cannot move to "
                f"{enterprise.name}"
            )
        before = len(hazard.events)
        changes = {k: values[k] for k in EDITABLE if k in present}
        register.update(
            self.session,
            hazard,
            changes,
            actor=self.actor,
            now=self.now,
            labels=labels(self.zone),
            reason=reason,
            zone=self.zone,
        )
        deadline = values["deadline"] if "deadline" in present else None
        if deadline is not None and deadline != hazard.deadline:
            if hazard.deadline is not None and deadline < hazard.deadline:
                raise HazardError(
                    f"整改期限: {hazard.code}'s deadline {hazard.deadline} cannot move earlier "
                    f"to {deadline}; only an extension (a later deadline) is imported"
                )
            register.extend(
                self.session, hazard, deadline, reason=reason, actor=self.actor, now=self.now
            )
        status = values["status"] if "status" in present else None
        if status is not None and status.value != hazard.status:
            register.set_status(
                self.session,
                hazard,
                status,
                actor=self.actor,
                now=self.now,
                reason=reason,
                checked=False,
            )
        return "updated" if len(hazard.events) > before else "unchanged"


def import_hazards(
    session: Session,
    path: Path | Ledger,
    *,
    zone: ZoneInfo,
    now: dt.datetime,
    actor: str,
    general_deadline_days: int,
) -> ImportResult:
    return Importer(session, zone, now, actor, general_deadline_days).run(path)


def _duplicates(path: Path, records: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(problem, row) for every row repeating an earlier row's code."""
    first: dict[str, int] = {}
    found = []
    for record in records:
        code = record["code"]
        if code in first:
            found.append(
                (
                    f"{path}:{record['_row']}: 隐患编号: {code!r} already used on row {first[code]}",
                    record["_row"],
                )
            )
        else:
            first[code] = record["_row"]
    return found


def _row_number(problem: str) -> tuple[int, str]:
    """Sort problems by row: "FILE:ROW: …" (the path itself may contain colons)."""
    head = problem.split(": ", 1)[0]
    number = head.rsplit(":", 1)[-1]
    return (int(number) if number.isdigit() else 0, problem)
