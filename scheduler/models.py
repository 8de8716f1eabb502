"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from rosters.tables import RosterAction, RosterAssignment, RosterChange, RosterLeave
from scheduler.accounts.models import FeedToken, LoginFailure, WebUser
from scheduler.db import Base
from scheduler.hazards.models import Hazard, HazardEvent
from scheduler.outbox.models import DeliveryAttempt, OutboxMessage
from scheduler.outbox.targets import DeliveryTarget
from scheduler.people.models import Enterprise, Staff
from scheduler.receipts.models import Handover, Receipt, ZeroReport
from scheduler.state import DataFile, PlannerTick
from scheduler.warnings.tables import FeedSeen, FeedState, WarningVersion

metadata = Base.metadata

__all__ = [
    "DataFile", "DeliveryAttempt", "DeliveryTarget", "Enterprise", "FeedToken", "Hazard", "HazardEvent",
    "LoginFailure", "OutboxMessage", "PlannerTick", "RosterAction", "RosterAssignment", "RosterChange",
    "RosterLeave", "Staff", "WebUser", "metadata",
    "Handover", "Receipt", "ZeroReport",
    "FeedSeen", "FeedState", "WarningVersion",
]
