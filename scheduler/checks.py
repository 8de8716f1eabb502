"""`safeduty check`: everything that can be verified before the service runs.

Each check takes the loaded config and returns findings; problems make `check` exit 2,
warnings are printed but do not fail it. Checks never write to the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from jinja2 import TemplateError

from scheduler.config import LoadedConfig
from scheduler.hazards.checks import check_hazard_templates
from scheduler.people.imports import read_enterprises, read_staff
from scheduler.rendering import BUILTIN_TEMPLATES, Renderer
from scheduler.tabular import DataError


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


Check = Callable[[LoadedConfig, Report], None]


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
    """Render every message kind with its sample context (``<kind>.sample.json``)."""
    service = loaded.config.service
    override = loaded.resolve(service.templates) if service.templates else None
    if override is not None and not override.is_dir():
        report.problems.append(f"service.templates: folder {override} does not exist")
        return
    renderer = Renderer(service.zone, override)
    for kind in renderer.kinds():
        sample = BUILTIN_TEMPLATES / f"{kind}.sample.json"
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


CHECKS: list[Check] = [check_data, check_templates, check_hazard_templates]


def run_checks(loaded: LoadedConfig) -> Report:
    report = Report()
    for check in CHECKS:
        check(loaded, report)
    return report
