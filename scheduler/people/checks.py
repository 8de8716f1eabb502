"""`safeduty check` for audiences: a configured group or audience that reaches nobody (and staff
who look like one person imported twice).

Every group under [groups] that resolves to nobody reachable is reported, with the keys that use
it, so an empty audience is found before the day its message should have gone out. The ones
delivery reports and escalations depend on — ``delivery.admins`` (dead letters, broken channels),
the groups and the ``supervisor`` audience of the hazard escalation steps — are problems (exit 2)
unless ``[messages] allow_empty`` names them; the rest are warnings.

The staff and enterprises come from the data files named in [data], or else from the database
(read only; nothing is written).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import fields
from typing import TYPE_CHECKING, Any, cast

from scheduler.check_report import Report
from scheduler.config import LoadedConfig
from scheduler.config.schema import Config
from scheduler.people.directory import Directory
from scheduler.people.duplicates import probable_duplicates
from scheduler.people.imports import read_enterprises, read_staff
from scheduler.people.records import EnterpriseRecord, StaffRecord
from scheduler.tabular import DataError
from scheduler.vocab import Role

if TYPE_CHECKING:
    from scheduler.people.models import Enterprise, Staff

SUPERVISOR = "supervisor"
SHOWN = 5  # enterprises named in one warning


def check_audiences(loaded: LoadedConfig, report: Report) -> None:
    people = _people(loaded)
    if people is None:
        return  # a data file is broken (check_data reports it), or nothing is imported yet
    enterprises, staff = people
    report.warnings.extend(probable_duplicates(staff))
    config = loaded.config
    directory = Directory(config, enterprises, staff)
    uses = used_by(config)
    needed = critical(config)
    allowed = set(config.messages.allow_empty)
    for name in sorted(config.groups):
        if directory.group(name):
            continue
        spec = config.groups[name]
        label = f"groups.{name}" + (f" ({spec.label})" if spec.label else "")
        where = ", ".join(uses.get(name, ())) or "no key uses it"
        text = f"{label} reaches nobody ({_why(config, name, staff)}); used by: {where}"
        _report(report, text, name in needed and name not in allowed, name)
    if SUPERVISOR in needed:
        supervisors = [s for s in directory.with_role(Role.SUPERVISOR) if directory.person(s) is not None]
        if not supervisors:
            text = ("the hazard escalation audience \"supervisor\" reaches nobody (no reachable staff with the "
                    "role supervisor 监管员); used by: " + ", ".join(uses.get(SUPERVISOR, ())))
            _report(report, text, SUPERVISOR not in allowed, SUPERVISOR)
        else:
            orphans = [e.name for e in directory.enterprises()
                       if not any(s.supervises(e) for s in supervisors)]
            if orphans:
                shown = "、".join(orphans[:SHOWN]) + (f" and {len(orphans) - SHOWN} more" if len(orphans) > SHOWN else "")
                report.warnings.append(f"{len(orphans)} enterprise(s) have no supervisor (no 监管员 covers their "
                                       f"category and region): {shown}; their escalations reach no supervisor")


def _report(report: Report, text: str, fail: bool, name: str) -> None:
    if fail:
        report.problems.append(f"{text}. Add people to the staff file, or name it in "
                               f'[messages] allow_empty = ["{name}"] if that is intended')
    else:
        report.warnings.append(text)


def critical(config: Config) -> set[str]:
    """The audiences dead-letter reports and hazard escalations depend on."""
    found = {config.delivery.admins}
    for policy in (config.hazards.major, config.hazards.general):
        for step in policy.steps:
            for audience in step.audience:
                if audience.group:
                    found.add(audience.group)
                elif audience == SUPERVISOR:
                    found.add(SUPERVISOR)
    return found


def used_by(config: Config) -> dict[str, list[str]]:
    """Group name (and "supervisor") → the config keys that address it."""
    uses: dict[str, list[str]] = defaultdict(list)
    uses[config.delivery.admins].append("delivery.admins")
    for section in fields(config):
        value = getattr(config, section.name)
        for ref in getattr(value, "references", lambda key: ())(section.name):
            if ref.kind == "group":
                uses[ref.name].append(ref.key)
    for level in ("major", "general"):
        for i, step in enumerate(getattr(config.hazards, level).steps):
            for j, audience in enumerate(step.audience):
                if audience == SUPERVISOR:
                    uses[SUPERVISOR].append(f"hazards.{level}.steps[{i}].audience[{j}]")
    return uses


def _why(config: Config, name: str, staff: list[Staff]) -> str:
    spec = config.groups[name]
    members = Directory(config, [], staff).members(name)
    if members:
        return f"its {len(members)} member(s) have no address for their channel"
    wanted = [f"role {r.value} {r.label}" for r in spec.roles] + [f"name {n}" for n in spec.names] + \
        [f"team {t}" for t in spec.teams]
    return "no one in the staff list has " + (" or ".join(wanted) or "anything it selects by")


def _people(loaded: LoadedConfig) -> tuple[list[Enterprise], list[Staff]] | None:
    data = loaded.config.data
    if data.staff:
        try:
            # Plain records, not ORM rows: checking the files needs no SQLAlchemy. They carry every
            # field of a row and the rows' methods (people.records), so they stand in for rows.
            staff = cast("list[Staff]", [StaffRecord(row) for row in read_staff(loaded.resolve(data.staff))])
            enterprises = cast("list[Enterprise]", [
                EnterpriseRecord(row) for row in (read_enterprises(loaded.resolve(data.enterprises),
                                                                   loaded.config.channels)
                                                  if data.enterprises else [])])
        except DataError:
            return None
        return enterprises, staff
    return _from_database(loaded)


def _columns(model: Any, row: dict[str, Any]) -> dict[str, Any]:
    names = {c.key for c in model.__table__.columns} - {"id", "active"}
    return {k: v for k, v in row.items() if k in names}


def _from_database(loaded: LoadedConfig) -> tuple[list[Enterprise], list[Staff]] | None:
    from sqlalchemy import inspect, select

    from scheduler.db import make_engine, sqlite_path
    from scheduler.people.models import Enterprise, Staff

    url = loaded.database_url
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None  # nothing imported yet
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("staff"):
            return None
        with engine.connect() as connection:
            staff = [Staff(**_columns(Staff, dict(r._mapping))) for r in connection.execute(
                select(*Staff.__table__.columns).where(Staff.active))]
            enterprises = [Enterprise(**_columns(Enterprise, dict(r._mapping)), active=True) for r in
                           connection.execute(select(*Enterprise.__table__.columns).where(Enterprise.active))]
        for person in staff:
            person.active = True
        return enterprises, staff
    finally:
        engine.dispose()


def audience_warnings(directory: Directory, groups: tuple[str, ...], key: str) -> Iterator[str]:
    """What a command that plans messages says when one of its audiences reaches nobody."""
    for name in groups:
        if not directory.group(name):
            label = directory.config.groups[name].label or name
            yield f"{key}: group {name} ({label}) reaches nobody, so nobody is told"
