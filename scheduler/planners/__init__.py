"""Every planner, side by side; the service and `simulate` run them in this order."""

from __future__ import annotations

from scheduler.planners.base import PlanContext, Planner
from scheduler.planners.duty import DutyPlanner

PLANNERS: dict[str, Planner] = {
    "duty": DutyPlanner(),
}

__all__ = ["PLANNERS", "PlanContext", "Planner"]
