"""Every planner, side by side; the service and `simulate` run them in this order."""

from __future__ import annotations

from scheduler.planners import hazard_completeness, hazard_digest, hazard_statistics, hazards
from scheduler.planners.base import PlanContext, Planner

PLANNERS: dict[str, Planner] = {
    "hazards": hazards.plan,
    "hazard_completeness": hazard_completeness.plan,
    "hazard_statistics": hazard_statistics.plan,
    "hazard_digest": hazard_digest.plan,
}

__all__ = ["PLANNERS", "PlanContext", "Planner"]
