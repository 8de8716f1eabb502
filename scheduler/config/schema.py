"""The shape of config.toml. Every table is a frozen dataclass; unknown keys are errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from scheduler.config.calendar import CalendarConfig
from scheduler.config.channels import ChannelConfig
from scheduler.config.clerk import MessagesConfig
from scheduler.config.hardening import SecurityConfig
from scheduler.config.hazards import HazardsConfig
from scheduler.config.outbox import OutboxConfig
from scheduler.config.receipts import ReceiptsConfig
from scheduler.config.reminders import KeyPeriodsConfig, PreholidayConfig
from scheduler.config.roster import RosterConfig
from scheduler.config.status import StatusConfig
from scheduler.config.warnings import WarningsConfig
from scheduler.config.web import WebConfig
from scheduler.vocab import ContactDuty, Role


@dataclass(frozen=True)
class ServiceConfig:
    bureau: str = "山西省文化和旅游厅"
    office: str = "安全生产工作领导小组办公室"
    zone: ZoneInfo = ZoneInfo("Asia/Shanghai")
    database: str = "sqlite:///var/safeduty.db"
    templates: str = ""
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    plan_every: dt.timedelta = dt.timedelta(seconds=60)
    dispatch_every: dt.timedelta = dt.timedelta(seconds=5)
    first_run_lookback: dt.timedelta = dt.timedelta(days=1)

    def __post_init__(self) -> None:
        scheme = self.database.split(":", 1)[0]
        if scheme not in ("sqlite", "postgresql", "postgresql+psycopg"):
            # Only the scheme is shown: the rest of the URL may hold a password.
            raise ValueError(f'database: "{scheme}:" is not supported; use "sqlite:///path/to/file.db" '
                             'or "postgresql://user@host:5432/name"')


@dataclass(frozen=True)
class DataConfig:
    enterprises: str = ""
    staff: str = ""
    sync_every: dt.timedelta = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class RetryConfig:
    """Exponential backoff with full jitter: wait = uniform(0, min(cap, base * 2**attempt))."""

    base: dt.timedelta = dt.timedelta(seconds=10)
    cap: dt.timedelta = dt.timedelta(minutes=15)
    max_age: dt.timedelta = dt.timedelta(hours=24)


@dataclass(frozen=True)
class DeliveryConfig:
    person_channel: str = "console"
    admins: str = "admins"
    lease: dt.timedelta = dt.timedelta(minutes=2)
    batch: int = 200
    late_after: dt.timedelta = dt.timedelta(minutes=10)
    retry: RetryConfig = field(default_factory=RetryConfig)
    workers: int = 8  # targets sent to at the same time (each target's messages go in order)
    unhealthy_after: int = 3  # consecutive configuration errors before a target is marked unhealthy
    merge_horizon: dt.timedelta = dt.timedelta(minutes=5)  # merge a bot's backlog it could not send within this

    def __post_init__(self) -> None:
        if self.batch < 1 or self.workers < 1 or self.unhealthy_after < 1:
            raise ValueError("batch, workers and unhealthy_after must be at least 1")


@dataclass(frozen=True)
class GroupConfig:
    """A named set of staff, and how they are reached.

    Members are the staff having any of ``roles``, or named in ``names``, or in one of ``teams``.
    ``personal`` is the channel for one message to each member ("" = delivery.person_channel,
    "none" = no personal messages); ``bot`` is a bot channel that gets one message @mentioning them.
    """

    label: str = ""  # how messages name the group, e.g. "值班组"
    roles: tuple[Role, ...] = ()
    names: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    personal: str = ""
    bot: str = ""


@dataclass(frozen=True)
class EnterpriseReachConfig:
    """How enterprises are reached: which contacts, through which personal channel."""

    contacts: tuple[ContactDuty, ...] = (ContactDuty.PRINCIPAL, ContactDuty.SAFETY_MANAGER)
    personal: str = ""
    own_bot: bool = True


@dataclass(frozen=True)
class Config:
    service: ServiceConfig = field(default_factory=ServiceConfig)
    data: DataConfig = field(default_factory=DataConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    channels: dict[str, ChannelConfig] = field(default_factory=dict)
    groups: dict[str, GroupConfig] = field(default_factory=dict)
    enterprises: EnterpriseReachConfig = field(default_factory=EnterpriseReachConfig)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    preholiday: PreholidayConfig = field(default_factory=PreholidayConfig)
    key_periods: KeyPeriodsConfig = field(default_factory=KeyPeriodsConfig)
    roster: RosterConfig = field(default_factory=RosterConfig)
    hazards: HazardsConfig = field(default_factory=HazardsConfig)
    status: StatusConfig = field(default_factory=StatusConfig)
    messages: MessagesConfig = field(default_factory=MessagesConfig)
    web: WebConfig = field(default_factory=WebConfig)
    receipts: ReceiptsConfig = field(default_factory=ReceiptsConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    warnings: WarningsConfig = field(default_factory=WarningsConfig)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
