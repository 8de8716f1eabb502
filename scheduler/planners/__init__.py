"""Every planner, side by side; the service and `simulate` run them in this order."""

from __future__ import annotations

from scheduler.planners import admin
from scheduler.planners.base import PlanContext, Planner

PLANNERS: dict[str, Planner] = {
    "admin": admin.plan,
}

__all__ = ["PLANNERS", "PlanContext", "Planner"]
