"""What hazard messages carry into their templates (JSON-able, as the outbox stores it)."""

from __future__ import annotations

from typing import Any

from scheduler.hazards.completeness import missing_items
from scheduler.hazards.models import Hazard
from scheduler.hazards.vocab import HazardLevel
from scheduler.people.models import Enterprise


def enterprise_context(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "code": enterprise.code,
        "name": enterprise.name,
        "region": enterprise.region,
        "principal_name": enterprise.principal_name,
        "principal_mobile": enterprise.principal_mobile,
    }


def hazard_context(hazard: Hazard) -> dict[str, Any]:
    return {
        "code": hazard.code,
        "title": hazard.title,
        "location": hazard.location,
        "level": hazard.level,
        "level_label": hazard.level_enum.label,
        "category_label": hazard.category_enum.label,
        "source_label": hazard.source_enum.label,
        "status_label": hazard.status_enum.label,
        "found_on": hazard.found_on.isoformat(),
        "deadline": hazard.deadline.isoformat() if hazard.deadline else "",
        "responsible_name": hazard.responsible_name,
        "responsible_mobile": hazard.responsible_mobile,
        "listed": bool(hazard.listed_by or hazard.listing_notice),
        "listed_by": hazard.listed_by,
        "listing_notice": hazard.listing_notice,
        "missing": missing_items(hazard) if hazard.level == HazardLevel.MAJOR.value else [],
        "enterprise": enterprise_context(hazard.enterprise),
    }
