"""What a message asks of its recipient: nothing, a confirmation, a report or a zero report.

The answer (an ``Ask``) is worked out from the message alone — its kind, key, recipient and
context — by the dispatcher when it makes the link, by the link's page when it is opened, and
by the chasing planners: they all agree without storing anything secret.

- A kind's ``[receipts.kinds]`` entry says whether its messages ask for a receipt, and whose.
- The *party* is who answers: an enterprise (any of its contacts or its bot answers for it), a
  member of staff, or a staff group's bot.
- The *task* is the message key with the recipient replaced by the party: the two contacts of
  one enterprise hold one task, and a receipt through either link settles it.
- Messages that chase a task (reminders) and daily 零报告 requests carry the ask in their
  context (``receipt``), so their links confirm the task they chase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from scheduler.config.channels import BOT_TYPES
from scheduler.config.schema import Config

AskMode = Literal["confirm", "report", "zero"]
CHASE_PREFIX = "receipt:"  # the topic of every message chasing a task: "receipt:<task>"


@dataclass(frozen=True)
class Ask:
    task: str
    kind: str  # the asking message's kind (a reminder carries the original's)
    topic: str  # the asking message's topic
    mode: AskMode
    party: str
    expires: dt.datetime  # the link stops working then
    deadline: dt.datetime | None = None  # a receipt after this is late
    day: str = ""  # 零报告: the day reported on

    def as_context(self) -> dict[str, Any]:
        """JSON-able, for a chasing message's context (nothing secret in it)."""
        found = asdict(self)
        found["expires"] = self.expires.isoformat()
        found["deadline"] = self.deadline.isoformat() if self.deadline else None
        return found

    @classmethod
    def from_context(cls, value: Mapping[str, Any]) -> Ask:
        deadline = value.get("deadline")
        return cls(task=value["task"], kind=value["kind"], topic=value["topic"], mode=value["mode"],
                   party=value["party"], expires=dt.datetime.fromisoformat(value["expires"]),
                   deadline=dt.datetime.fromisoformat(deadline) if deadline else None, day=value.get("day", ""))


def party_of(recipient_key: str) -> str:
    """``enterprise:CODE:principal`` → ``enterprise:CODE``; staff and group keys are their own party."""
    if recipient_key.startswith("enterprise:"):
        return ":".join(recipient_key.split(":", 2)[:2])
    return recipient_key


def task_of(message_key: str, recipient_key: str) -> str:
    party = party_of(recipient_key)
    if recipient_key and message_key.endswith(recipient_key):
        return message_key[: len(message_key) - len(recipient_key)] + party
    return message_key


def chase_topic(task: str) -> str:
    return CHASE_PREFIX + task


def asks_whom(who: str, party: str) -> bool:
    if who == "enterprises":
        return party.startswith("enterprise:")
    if who == "staff":
        return party.startswith(("staff:", "group:"))
    return True


def ask_of(config: Config, key: str, kind: str, recipient_key: str, topic: str,
           context: Mapping[str, Any], due_at: dt.datetime) -> Ask | None:
    """What the message asks of its recipient, or None."""
    carried = context.get("receipt")
    if isinstance(carried, Mapping):
        return Ask.from_context(carried)
    spec = config.receipts.kinds.get(kind)
    if spec is None or spec.receipt == "none":
        return None
    party = party_of(recipient_key)
    if not asks_whom(spec.who, party):
        return None
    zone = config.service.zone
    end = task_end(context, zone) or due_at + spec.valid_for
    return Ask(task_of(key, recipient_key), kind, topic, spec.receipt, party, end + config.receipts.grace,
               deadline_of(context, zone))


def task_end(context: Mapping[str, Any], zone: ZoneInfo) -> dt.datetime | None:
    """When the task a message asks about is over: a holiday or key period's last day, a shift's end."""
    period = context.get("period")
    if isinstance(period, Mapping) and period.get("end"):
        return end_of_day(dt.date.fromisoformat(period["end"]), zone)
    end = context.get("end")
    if isinstance(end, str) and "T" in end:
        return dt.datetime.fromisoformat(end)
    return None


def deadline_of(context: Mapping[str, Any], zone: ZoneInfo) -> dt.datetime | None:
    """The deadline a pre-holiday notice sets ("请于2月11日前完成"), if it sets one. (A hazard's
    ``deadline`` is its rectification deadline, long past when it is overdue: not this.)"""
    deadline = context.get("deadline")
    if "period" in context and isinstance(deadline, str) and len(deadline) == 10:
        return end_of_day(dt.date.fromisoformat(deadline), zone)
    return None


def end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)


def needs_name(config: Config, recipient_key: str, channel: str) -> bool:
    """A bot message in a group identifies the group, not the person: ask for 确认人."""
    spec = config.channels.get(channel)
    return (recipient_key.startswith("group:") or recipient_key.endswith(":bot")
            or (spec is not None and spec.type in BOT_TYPES))
