"""``[receipts]``: which messages ask for a receipt (回执), how the unconfirmed are chased, the
daily 零报告 and the 交接班 handover log.

Everything is off by default: config.toml ships the bureau's defaults (the issue's table), and
a config without ``[receipts]`` asks nobody for anything (the groups it names may not exist).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from scheduler.config.typed import Ref, Secret
from scheduler.vocab import Category

Mode = Literal["none", "confirm", "report"]
# Whose receipt a kind asks for: an enterprise's (any of its contacts or its bot answers for it),
# a member of staff's (or a staff group's bot), or both.
Who = Literal["enterprises", "staff", "everyone"]
_KIND = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


@dataclass(frozen=True)
class KindReceipt:
    """``[receipts.kinds."<kind>"]``: what one message kind asks of its recipients."""

    receipt: Mode = "none"
    who: Who = "everyone"
    # How long a link stays valid after the message was sent, for kinds whose task has no end of
    # its own (a hazard's progress report); others end with their task (the holiday, the shift).
    valid_for: dt.timedelta = dt.timedelta(days=14)


@dataclass(frozen=True)
class PreholidayChase:
    """Enterprises that have not answered a pre-holiday notice (T-14 节前自查)."""

    remind_working_days: int = 5  # T-5: a reminder to the enterprise itself
    list_working_days: int = 2  # T-2: the list of who has not answered, to their supervisors
    at: dt.time = dt.time(9, 0)
    unassigned_to: tuple[str, ...] = ()  # groups told of enterprises no supervisor oversees


@dataclass(frozen=True)
class MeetingChase:
    """Bureau staff who have not confirmed a pre-holiday notice with a deadline (节前研判会)."""

    before_deadline_working_days: int = 1
    at: dt.time = dt.time(9, 0)
    to: tuple[str, ...] = ()  # groups (the section head)


@dataclass(frozen=True)
class ShiftChase:
    """A duty officer or leader who has not confirmed the shift-eve notice (我已知晓)."""

    at: dt.time = dt.time(18, 0)  # on the eve
    duty_leader: bool = True  # the day's 带班领导 is told (unless it is the one missing)
    to: tuple[str, ...] = ()  # and these groups (the office head)
    suggestions: int = 3  # covers suggested, from `roster suggest`


@dataclass(frozen=True)
class KeyPeriodChase:
    """Enterprises that have not confirmed a key period's start notice."""

    after_working_days: int = 2
    at: dt.time = dt.time(9, 0)
    unassigned_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class HazardReview:
    """A hazard progress report from an enterprise is shown to its supervisors to accept or reject."""

    groups: tuple[str, ...] = ()  # told too, and of reports on enterprises nobody supervises


@dataclass(frozen=True)
class ReportingClocks:
    """domain.md §3.1 (条例493号 Art. 9, 11): the enterprise reports within 1 hour; each regulator
    passes it up within 2 hours. Local rules are often stricter (30 min by phone)."""

    enterprise: dt.timedelta = dt.timedelta(hours=1)  # from the incident: the enterprise's report
    upward: dt.timedelta = dt.timedelta(hours=2)  # from our receiving it: the bureau's report upward
    remind_before: dt.timedelta = dt.timedelta(minutes=30)  # a reminder this long before, if not reported


@dataclass(frozen=True)
class ZeroReportConfig:
    """``[receipts.zero_report]``: 零报告, one report a day by a cut-off during the chosen periods."""

    enabled: bool = False
    holidays: bool = True  # every holiday period
    key_periods: tuple[str, ...] = ()  # ids under [key_periods.periods]
    categories: tuple[Category, ...] = ()  # enterprises in scope; empty = every category
    duty_officer: bool = True  # the day's duty officer reports too
    request_at: dt.time = dt.time(9, 0)
    cutoff: dt.time = dt.time(15, 0)
    remind_before: dt.timedelta = dt.timedelta(hours=1)
    summary_at: dt.time = dt.time(17, 0)
    summary_to: tuple[str, ...] = ()  # groups told besides the day's duty leader
    clocks: ReportingClocks = field(default_factory=ReportingClocks)

    def __post_init__(self) -> None:
        cutoff = dt.datetime.combine(dt.date(2000, 1, 1), self.cutoff)
        if not (self.request_at < (cutoff - self.remind_before).time() and self.cutoff < self.summary_at):
            raise ValueError("expected request_at < cutoff - remind_before and cutoff < summary_at")


@dataclass(frozen=True)
class HandoverConfig:
    """``[receipts.handover]``: 交接班. A handover not written and confirmed by handover + ``missing_after``
    is told to the duty leader."""

    enabled: bool = False
    missing_after: dt.timedelta = dt.timedelta(hours=1)
    to: tuple[str, ...] = ()  # groups told besides the duty leader


@dataclass(frozen=True)
class ReceiptsConfig:
    # The HMAC key of receipt links. "" = a key generated once into var/receipts-key.key
    # (scheduler/keys.py; SQLite only: on PostgreSQL every replica must be given the same key).
    key: Secret = Secret("")
    old_key: Secret = Secret("")  # the previous key, accepted until old_key_until (rotation)
    old_key_until: dt.date | None = None
    grace: dt.timedelta = dt.timedelta(days=1)  # a link stays valid this long after its task ends
    kinds: dict[str, KindReceipt] = field(default_factory=dict)
    preholiday: PreholidayChase = field(default_factory=PreholidayChase)
    meeting: MeetingChase = field(default_factory=MeetingChase)
    shift: ShiftChase = field(default_factory=ShiftChase)
    key_period: KeyPeriodChase = field(default_factory=KeyPeriodChase)
    hazard: HazardReview = field(default_factory=HazardReview)
    zero_report: ZeroReportConfig = field(default_factory=ZeroReportConfig)
    handover: HandoverConfig = field(default_factory=HandoverConfig)

    def __post_init__(self) -> None:
        for kind in self.kinds:
            if not _KIND.match(kind):
                raise ValueError(f'kinds: "{kind}" is not a message kind such as "preholiday/self_inspection"')
        if self.old_key and self.old_key_until is None:
            raise ValueError("old_key needs old_key_until (the last day the old key is accepted)")
        for name, value in (("preholiday.remind_working_days", self.preholiday.remind_working_days),
                            ("preholiday.list_working_days", self.preholiday.list_working_days),
                            ("key_period.after_working_days", self.key_period.after_working_days)):
            if value < 1:
                raise ValueError(f"{name} must be at least 1")

    def mode(self, kind: str) -> Mode:
        spec = self.kinds.get(kind)
        return spec.receipt if spec is not None else "none"

    def references(self, key: str) -> Iterator[Ref]:

        lists = {
            "preholiday.unassigned_to": self.preholiday.unassigned_to,
            "meeting.to": self.meeting.to,
            "shift.to": self.shift.to,
            "key_period.unassigned_to": self.key_period.unassigned_to,
            "hazard.groups": self.hazard.groups,
            "zero_report.summary_to": self.zero_report.summary_to,
            "handover.to": self.handover.to,
        }
        for name, groups in lists.items():
            for index, group in enumerate(groups):
                yield Ref(f"{key}.{name}[{index}]", "group", group)
