"""`safeduty check` for [hazards]: every message kind the section names has its templates."""

from __future__ import annotations

from scheduler.check_report import Report
from scheduler.config import LoadedConfig
from scheduler.rendering import Renderer


def check_hazard_templates(loaded: LoadedConfig, report: Report) -> None:
    service = loaded.config.service
    override = loaded.resolve(service.templates) if service.templates else None
    if override is not None and not override.is_dir():
        return  # check_templates reports the missing folder
    known = set(Renderer(service.zone, override).kinds())
    for kind in sorted(loaded.config.hazards.templates() - known):
        report.problems.append(
            f"hazards: template {kind!r} does not exist (no templates/{kind}.subject.j2)"
        )
