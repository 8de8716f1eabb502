"""`safeduty check`: everything that can be verified before the service runs.

Each check takes the loaded config and returns findings; problems make `check` exit 2,
warnings are printed but do not fail it. Checks never write to the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from jinja2 import TemplateError

from rosters.model import DUTY_ROLES, Person
from rosters.rules import capacity_problems
from scheduler.calendar import WorkCalendar, missing_years
from scheduler.check_report import Report
from scheduler.config import LoadedConfig
from scheduler.hazards.checks import check_hazard_templates
from scheduler.keys import compiled_templates
from scheduler.people.checks import check_audiences
from scheduler.people.imports import read_enterprises, read_staff
from scheduler.receipts.checks import check_receipts
from scheduler.rendering import BUILTIN_TEMPLATES, Renderer
from scheduler.security_checks import check_security
from scheduler.tabular import DataError
from scheduler.vocab import Role
from scheduler.web.checks import check_web

Check = Callable[[LoadedConfig, Report], None]

__all__ = ["CHECKS", "START_CHECKS", "Check", "Report", "run_checks"]


def check_data(loaded: LoadedConfig, report: Report) -> None:
    data = loaded.config.data
    for relative, read in (
        (data.enterprises, lambda p: read_enterprises(p, loaded.config.channels)),
        (data.staff, read_staff),
    ):
        if not relative:
            continue
        try:
            read(loaded.resolve(relative))
        except DataError as exc:
            report.problems.extend(exc.problems)


def check_templates(loaded: LoadedConfig, report: Report) -> None:
    """Render every message kind with its sample context (``<kind>.sample.json``, from the override
    folder when it has one)."""
    service = loaded.config.service
    override = loaded.resolve(service.templates) if service.templates else None
    if override is not None and not override.is_dir():
        report.problems.append(f"service.templates: folder {override} does not exist")
        return
    renderer = Renderer(service.zone, override, compiled_templates(loaded))
    renderer.set_global("signature", loaded.config.messages.sign(service.bureau, service.office))
    for kind in renderer.kinds():
        # A kind the override folder adds brings its sample along; an overridden one may too.
        sample = BUILTIN_TEMPLATES / f"{kind}.sample.json"
        if override is not None and (override / f"{kind}.sample.json").exists():
            sample = override / f"{kind}.sample.json"
        if not sample.exists():
            report.problems.append(f"templates/{kind}: no sample context {sample.name} to check it with")
            continue
        context = {
            "bureau": service.bureau,
            "office": service.office,
            "recipient_name": "张三",
            "ref": "A1B2C3",
            "due_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat(),
            "late": False,
            **json.loads(sample.read_text(encoding="utf-8")),
        }
        try:
            renderer.render(kind, context)
        except TemplateError as exc:
            where = f"{exc.filename}:{exc.lineno}" if getattr(exc, "lineno", None) else kind  # type: ignore[attr-defined]
            report.problems.append(f"template {where}: {exc}")


def check_calendar_year(loaded: LoadedConfig, report: Report) -> None:
    """From 1 December: is next year's holiday arrangement known (library or config)?"""
    if report.today is None:
        return
    calendar = loaded.config.calendar
    for year in missing_years(WorkCalendar(calendar), report.today, calendar.guard):
        report.warnings.append(
            f"calendar: the {year} holiday arrangement is neither in the holidays library nor in config; "
            f"reminders for {year} follow the library's estimate (no 调休 working weekends). "
            f"Enter [calendar.years.{year}] from the State Council's notice (docs/calendar.md) "
            f"or upgrade the holidays package."
        )


def check_roster(loaded: LoadedConfig, report: Report) -> None:
    """Whether the staff file has enough leaders and officers for the [roster] staffing and rest."""
    if not loaded.config.data.staff:
        return
    try:
        rows = read_staff(loaded.resolve(loaded.config.data.staff))
    except DataError:
        return  # check_data reports it
    people = [Person(r["code"], r["name"], roles) for r in rows
              if (roles := frozenset(Role(x) for x in r["roles"].split(",") if x) & set(DUTY_ROLES))]
    report.problems.extend(capacity_problems(people, loaded.config.roster))


def check_reminder_templates(loaded: LoadedConfig, report: Report) -> None:
    """Every message kind [preholiday] and [key_periods] name must have its templates."""
    service = loaded.config.service
    override = loaded.resolve(service.templates) if service.templates else None
    kinds = set(Renderer(service.zone, override if override and override.is_dir() else None).kinds())
    wanted = [(f"preholiday.steps.{name}.template", step.template)
              for name, step in loaded.config.preholiday.steps.items()]
    for name, period in loaded.config.key_periods.periods.items():
        notices = ["start"]
        if period.repeat != "none":
            notices.append("reminder")
        if period.end_notice:
            notices.append("end")
        wanted += [(f"key_periods.periods.{name}.templates", f"{period.templates}/{n}") for n in notices]
    for key, kind in wanted:
        if kind not in kinds:
            report.problems.append(f"{key}: no templates for message kind {kind!r} ({kind}.subject.j2, {kind}.text.j2)")


CHECKS: list[Check] = [
    check_data,
    check_templates,
    check_calendar_year,
    check_reminder_templates,
    check_roster,
    check_hazard_templates,
    check_audiences,
    check_web,
    check_receipts,
    check_security,
]


# What `safeduty run` checks before it starts: a template that cannot render would make every
# message of its kind fail when it falls due.
START_CHECKS: list[Check] = [check_templates, check_reminder_templates, check_hazard_templates]


def run_checks(loaded: LoadedConfig, today: dt.date | None = None, checks: list[Check] = CHECKS) -> Report:
    report = Report(today=today)
    for check in checks:
        check(loaded, report)
    return report
