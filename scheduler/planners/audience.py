"""Turn a configured audience (staff groups, enterprises by category) into recipients.

Resolved at planning time from the Directory snapshot, so an enterprise imported today gets
tomorrow's reminders. Each addressee carries what its message needs to say about it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scheduler.config.reminders import Audience
from scheduler.outbox.planned import Recipient
from scheduler.people.directory import Directory
from scheduler.people.models import Enterprise, Staff
from scheduler.vocab import Category, Role


@dataclass(frozen=True)
class Addressee:
    recipient: Recipient
    audience: str  # how the message names who it is for: "安全科", "A级旅游景区"
    enterprise: Mapping[str, str] | None = None  # for an enterprise's contacts and bot


def enterprise_context(enterprise: Enterprise) -> dict[str, str]:
    """What a message may say about an enterprise; ``category`` picks its checklist template."""
    category = enterprise.category_enum
    return {"code": enterprise.code, "name": enterprise.name, "category": category.value,
            "category_label": category.label}


def resolve(directory: Directory, audience: Audience) -> list[Addressee]:
    """Every recipient of ``audience``, each once (a person in two groups gets one message)."""
    found: dict[str, Addressee] = {}
    if audience.reaches_enterprises:
        for enterprise in directory.enterprises(audience.categories):
            about = enterprise_context(enterprise)
            for recipient in directory.contacts(enterprise, audience.contacts or None):
                found.setdefault(recipient.key, Addressee(recipient, about["category_label"], about))
    groups = directory.config.groups
    for name in audience.groups:
        label = groups[name].label or name
        for recipient in directory.group(name):
            found.setdefault(recipient.key, Addressee(recipient, label))
    return list(found.values())


def enterprise_counts(directory: Directory, staff: Staff | None = None) -> list[dict[str, Any]]:
    """How many active enterprises there are of each category, for the bureau's own messages;
    for a supervisor (监管员), only the enterprises they supervise."""
    supervising = staff is not None and Role.SUPERVISOR in staff.role_set
    counts = Counter(e.category for e in directory.enterprises() if not supervising or staff.supervises(e))  # type: ignore[union-attr]
    return [{"category": c.label, "count": counts[c.value]} for c in Category if counts[c.value]]


def counts_shown(directory: Directory, recipient: Recipient, everything: list[dict[str, Any]],
               cache: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The enterprise counts a bureau recipient's message shows: a supervisor's own, else all."""
    if not recipient.key.startswith("staff:"):
        return everything  # a group's bot: the whole group reads it
    code = recipient.key[len("staff:"):]
    if code not in cache:
        staff = next((s for s in directory.staff if s.code == code), None)
        cache[code] = enterprise_counts(directory, staff) if staff is not None and \
            Role.SUPERVISOR in staff.role_set else everything
    return cache[code]
