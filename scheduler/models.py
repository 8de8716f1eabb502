"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from scheduler.db import Base
from scheduler.outbox.models import DeliveryAttempt, OutboxMessage
from scheduler.outbox.targets import DeliveryTarget
from scheduler.people.models import Enterprise, Staff
from scheduler.state import DataFile, PlannerTick

metadata = Base.metadata

__all__ = ["DataFile", "DeliveryAttempt", "DeliveryTarget", "Enterprise", "OutboxMessage", "PlannerTick", "Staff", "metadata"]
