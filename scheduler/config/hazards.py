"""``[hazards]``: the escalation policy per hazard level, completeness notices, the recurring
statistics duty and the weekly overdue digest.

The shipped defaults follow the practice in the domain notes (§3, E4–E6): for a major hazard,
reminders 20 working days before the deadline (time to apply for an extension: Qingdao's "3+X"
asks for the request at least 20 working days ahead), 7 days and 1 day before; on the deadline
the enterprise principal and the bureau supervisor hear of it (a written explanation is due,
Guangyuan practice); +3 working days the head of the safety section; +10 working days the bureau
leaders, proposing listed supervision (挂牌督办) or a 约谈; the last step repeats weekly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from scheduler.config.typed import Ref

ENTERPRISE_AUDIENCES = {
    "responsible": "整改责任人",
    "principal": "主要负责人",
    "safety_manager": "安全管理人员",
    "warning_contact": "预警联系人",
    "enterprise": "企业联系人",  # the contacts named in [enterprises].contacts
}
STAFF_AUDIENCES = {"supervisor": "监管人员"}  # the bureau staff supervising the enterprise
GROUP_PREFIX = "group:"
_TEMPLATE = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


class Audience(str):
    """Who a message goes to: one of responsible, principal, safety_manager, warning_contact,
    enterprise, supervisor, or ``group:NAME`` (a staff group from [groups])."""

    @classmethod
    def parse(cls, value: object) -> Audience:
        if not isinstance(value, str):
            raise TypeError(f"expected an audience name, got {type(value).__name__}")
        if value in ENTERPRISE_AUDIENCES or value in STAFF_AUDIENCES:
            return cls(value)
        if value.startswith(GROUP_PREFIX) and value[len(GROUP_PREFIX) :]:
            return cls(value)
        known = ", ".join([*ENTERPRISE_AUDIENCES, *STAFF_AUDIENCES, "group:NAME"])
        raise ValueError(f"unknown audience {value!r} (one of: {known})")

    @property
    def group(self) -> str | None:
        return self[len(GROUP_PREFIX) :] if self.startswith(GROUP_PREFIX) else None


def _check_template(template: str) -> None:
    if not _TEMPLATE.match(template):
        raise ValueError(f'template {template!r} is not a message kind such as "hazard/overdue"')


def _whole_days(name: str, value: dt.timedelta) -> None:
    if value < dt.timedelta(0) or value % dt.timedelta(days=1):
        raise ValueError(f'{name} must be a whole number of days such as "7d", got {value}')


@dataclass(frozen=True)
class EscalationStep:
    """One step of a chain: ``offset`` days (or working days) from the deadline; negative = before.

    ``non_working_day`` says what happens when a step falls on a day off: "send" anyway (many
    enterprises work through holidays), or move it to the working day "before" or "after".
    """

    offset: int
    audience: tuple[Audience, ...]
    template: str
    unit: Literal["days", "working_days"] = "days"
    non_working_day: Literal["send", "before", "after"] = "send"
    label: str = ""  # how messages and the digest name the step; generated when empty

    def __post_init__(self) -> None:
        if not self.audience:
            raise ValueError("a step needs at least one audience")
        _check_template(self.template)

    @property
    def title(self) -> str:
        if self.label:
            return self.label
        unit = "个工作日" if self.unit == "working_days" else "天"
        if self.offset < 0:
            return f"到期前{-self.offset}{unit}"
        return "到期当日" if self.offset == 0 else f"逾期满{self.offset}{unit}"


@dataclass(frozen=True)
class EscalationPolicy:
    """The chain for one level. The last step listed repeats every ``repeat_every`` until the
    hazard is rectified or closed ("0d": no repeat). A message not sent within ``expire_after``
    of its time (or before the chain's next message is due) is recorded as expired."""

    steps: tuple[EscalationStep, ...] = ()
    repeat_every: dt.timedelta = dt.timedelta(0)
    expire_after: dt.timedelta = dt.timedelta(days=3)

    def __post_init__(self) -> None:
        _whole_days("repeat_every", self.repeat_every)
        if self.expire_after <= dt.timedelta(0):
            raise ValueError("expire_after must be positive")

    @property
    def repeat_days(self) -> int:
        return self.repeat_every.days


_TO_ENTERPRISE = (Audience("responsible"), Audience("principal"))

MAJOR_STEPS = (
    EscalationStep(-20, _TO_ENTERPRISE, "hazard/extension_window", unit="working_days"),
    EscalationStep(-7, _TO_ENTERPRISE, "hazard/due_soon"),
    EscalationStep(-1, _TO_ENTERPRISE, "hazard/due_soon"),
    EscalationStep(0, (Audience("principal"), Audience("supervisor")), "hazard/due_today"),
    EscalationStep(3, (Audience("group:section_heads"),), "hazard/overdue", unit="working_days"),
    EscalationStep(
        10, (Audience("group:bureau_leaders"),), "hazard/supervision", unit="working_days"
    ),
)

# 一般事故隐患 are to be fixed at once (16号令 Art. 15): a lighter chain that stays with the
# enterprise and its supervisor.
GENERAL_STEPS = (
    EscalationStep(0, _TO_ENTERPRISE, "hazard/due_today"),
    EscalationStep(
        3, (Audience("principal"), Audience("supervisor")), "hazard/overdue", unit="working_days"
    ),
)


@dataclass(frozen=True)
class MajorPolicy(EscalationPolicy):
    steps: tuple[EscalationStep, ...] = MAJOR_STEPS
    repeat_every: dt.timedelta = dt.timedelta(days=7)


@dataclass(frozen=True)
class GeneralPolicy(EscalationPolicy):
    steps: tuple[EscalationStep, ...] = GENERAL_STEPS
    repeat_every: dt.timedelta = dt.timedelta(days=7)


@dataclass(frozen=True)
class CompletenessConfig:
    """A major hazard lacking one of the five items (五到位) or either report (双报告): a notice
    shortly after registration, then every ``every`` until complete."""

    enabled: bool = True
    every: dt.timedelta = dt.timedelta(days=7)
    audience: tuple[Audience, ...] = (Audience("enterprise"), Audience("supervisor"))
    template: str = "hazard/incomplete"

    def __post_init__(self) -> None:
        _whole_days("every", self.every)
        if self.every < dt.timedelta(days=1):
            raise ValueError('every must be at least "1d"')
        _check_template(self.template)


@dataclass(frozen=True)
class StatisticsConfig:
    """16号令 Art. 14: the quarterly statistics table by the 15th of the month after each quarter,
    the annual one by 31 January. Reminders go this many working days before each due date."""

    enabled: bool = True
    remind_working_days: tuple[int, ...] = (5, 1)
    audience: tuple[Audience, ...] = (Audience("enterprise"),)
    template: str = "hazard/statistics"

    def __post_init__(self) -> None:
        if any(days < 0 for days in self.remind_working_days):
            raise ValueError("remind_working_days must not be negative")
        if any(a not in ENTERPRISE_AUDIENCES or a == "responsible" for a in self.audience):
            raise ValueError(
                "statistics reminders go to enterprise contacts only "
                "(principal, safety_manager, warning_contact, enterprise)"
            )
        _check_template(self.template)


@dataclass(frozen=True)
class DigestConfig:
    """A weekly list of overdue hazards: each supervisor gets the enterprises they supervise;
    ``groups`` get the whole list."""

    enabled: bool = True
    weekday: int = 1  # ISO: 1 = Monday … 7 = Sunday
    at: dt.time = dt.time(8, 30)
    groups: tuple[str, ...] = ()
    template: str = "hazard/digest"

    def __post_init__(self) -> None:
        if not 1 <= self.weekday <= 7:
            raise ValueError(f"weekday must be 1 (Monday) … 7 (Sunday), got {self.weekday}")
        _check_template(self.template)


@dataclass(frozen=True)
class HazardsConfig:
    send_at: dt.time = dt.time(
        9, 0
    )  # local time of escalation, completeness and statistics messages
    # A general hazard registered without a deadline is due this many days after it was found
    # (16号令 Art. 15: general hazards are rectified at once).
    general_deadline_days: int = 0
    major: MajorPolicy = field(default_factory=MajorPolicy)
    general: GeneralPolicy = field(default_factory=GeneralPolicy)
    completeness: CompletenessConfig = field(default_factory=CompletenessConfig)
    statistics: StatisticsConfig = field(default_factory=StatisticsConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)

    def __post_init__(self) -> None:
        if self.general_deadline_days < 0:
            raise ValueError("general_deadline_days must not be negative")

    def templates(self) -> set[str]:
        """Every message kind the section names (checked by `safeduty check`)."""
        kinds = {s.template for p in (self.major, self.general) for s in p.steps}
        return kinds | {self.completeness.template, self.statistics.template, self.digest.template}

    def references(self, key: str) -> Iterable[Ref]:

        for level in ("major", "general"):
            policy: EscalationPolicy = getattr(self, level)
            for i, step in enumerate(policy.steps):
                for j, audience in enumerate(step.audience):
                    if audience.group:
                        yield Ref(
                            f"{key}.{level}.steps[{i}].audience[{j}]", "group", audience.group
                        )
        for j, audience in enumerate(self.completeness.audience):
            if audience.group:
                yield Ref(f"{key}.completeness.audience[{j}]", "group", audience.group)
        for j, group in enumerate(self.digest.groups):
            yield Ref(f"{key}.digest.groups[{j}]", "group", group)
