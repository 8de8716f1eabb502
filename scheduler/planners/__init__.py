"""Every planner, side by side; the service and `simulate` run them in this order."""

from __future__ import annotations

import heapq
from collections.abc import Mapping

from scheduler.hazards.queries import overdue_major_count
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.planners import (
    admin,
    hazard_completeness,
    hazard_digest,
    hazard_statistics,
    hazards,
    key_periods,
    preholiday,
    receipts,
    receipts_duty,
    receipts_hazard,
    receipts_zero,
    warnings,
    year_guard,
)
from scheduler.planners.base import PlanContext, Planner
from scheduler.planners.duty import DutyPlanner

PLANNERS: dict[str, Planner] = {
    # First: weather and emergency warnings (URGENT; also planned at once on intake, relay_now).
    "warnings": warnings.plan,
    "preholiday": preholiday.plan,
    "key_periods": key_periods.plan,
    "year_guard": year_guard.plan,
    "duty": DutyPlanner(overdue_major_hazards=overdue_major_count),
    "hazards": hazards.plan,
    "hazard_completeness": hazard_completeness.plan,
    "hazard_statistics": hazard_statistics.plan,
    "hazard_digest": hazard_digest.plan,
    # After the planners whose messages they chase (they regenerate those messages).
    "receipts": receipts.plan,
    "receipts_duty": receipts_duty.plan,
    "receipts_zero": receipts_zero.plan,
    "receipts_hazard": receipts_hazard.plan,
    # Last: it reports rows that other planners recorded as expired in the same tick.
    "admin": admin.plan,
}

__all__ = ["PLANNERS", "PlanContext", "Planner", "first_planned"]


def first_planned(planners: Mapping[str, Planner], ctx: PlanContext, window: Window, limit: int) -> list[PlannedMessage]:
    """The first ``limit`` messages (by due time) the planners produce in ``window``; streamed, so
    only ``limit`` are held however many the window has."""
    found = (m for planner in planners.values() for m in planner(ctx, window))
    return heapq.nsmallest(limit, found, key=lambda m: (m.due_at, m.key))
