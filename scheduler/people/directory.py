"""Resolve audiences (a staff group, an enterprise's contacts) into recipients.

This is the vocabulary every planner uses to address a message. A Directory is a read-only
snapshot loaded once per planning tick.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from scheduler.config.schema import Config
from scheduler.outbox.planned import Mention, Recipient
from scheduler.vocab import Category, ContactDuty, Role

if TYPE_CHECKING:  # `safeduty check` builds a Directory of plain records, without SQLAlchemy
    from sqlalchemy.orm import Session

    from scheduler.people.models import Enterprise, Staff

# How many characters the outbox keeps of a recipient's name (outbox.recipient_name).
NAME_CHARS = 200


def recipient_label(owner: str, *rest: str) -> str:
    """"{owner} {rest…}" within NAME_CHARS: a long enterprise name is shortened with "…", so
    the duty and the person's name always show (an enterprise name alone may use all 200)."""
    tail = "".join(f" {part}" for part in rest if part)
    if len(owner) + len(tail) <= NAME_CHARS:
        return owner + tail
    room = NAME_CHARS - len(tail) - 1
    return (owner[:room] + "…" + tail) if room > 0 else (owner + tail)[: NAME_CHARS - 1] + "…"


class Directory:
    def __init__(self, config: Config, enterprises: Sequence[Enterprise], staff: Sequence[Staff]) -> None:
        self.config = config
        self.all_enterprises = [e for e in enterprises if e.active]
        self.staff = [s for s in staff if s.active]
        # Each person's roles, parsed once: audiences are resolved thousands of times a year.
        self._roles = [(s, s.role_set) for s in self.staff]
        self._by_code = {e.code: e for e in self.all_enterprises}

    @classmethod
    def load(cls, session: Session, config: Config) -> Directory:
        from sqlalchemy import select

        from scheduler.people.models import Enterprise, Staff

        enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.code)))
        staff = list(session.scalars(select(Staff).order_by(Staff.code)))
        session.expunge_all()
        return cls(config, enterprises, staff)

    # Staff

    def members(self, group: str) -> list[Staff]:
        spec = self.config.groups[group]
        roles, names, teams = set(spec.roles), set(spec.names), set(spec.teams)
        return [
            s for s, held in self._roles
            if held & roles or s.name in names or s.code in names or (s.team and s.team in teams)
        ]

    def with_role(self, role: Role) -> list[Staff]:
        return [s for s, held in self._roles if role in held]

    def group(self, name: str) -> list[Recipient]:
        """One recipient per reachable member, plus the group's bot (one message @mentioning all)."""
        spec = self.config.groups[name]
        members = self.members(name)
        recipients = []
        if spec.personal != "none":
            channel = spec.personal or self.config.delivery.person_channel
            recipients = [r for s in members if (r := self.person(s, channel)) is not None]
        if spec.bot:
            mentions = tuple(Mention(s.name, s.mobile, s.feishu_open_id) for s in members)
            recipients.append(Recipient(f"group:{name}", recipient_label(spec.label or name), spec.bot,
                                        mentions=mentions))
        return recipients

    def person(self, staff: Staff, channel: str | None = None) -> Recipient | None:
        """How to reach one member of staff personally; None when the channel has no address for them."""
        channel = channel or self.config.delivery.person_channel
        address = self._address(channel, staff.email, staff.mobile)
        if address is None:
            return None
        return Recipient(f"staff:{staff.code}", staff.name, channel, address)

    def supervisors_of(self, enterprise: Enterprise) -> list[Staff]:
        return [s for s in self.with_role(Role.SUPERVISOR) if s.supervises(enterprise)]

    # Enterprises

    def enterprise(self, code: str) -> Enterprise | None:
        return self._by_code.get(code)

    def enterprises(self, categories: Iterable[Category] = ()) -> list[Enterprise]:
        wanted = {c.value for c in categories}
        return [e for e in self.all_enterprises if not wanted or e.category in wanted]

    def contacts(self, enterprise: Enterprise, duties: Iterable[ContactDuty] | None = None) -> list[Recipient]:
        """The enterprise's contacts holding ``duties`` (default: [enterprises].contacts), and its own bot."""
        reach = self.config.enterprises
        channel = reach.personal or self.config.delivery.person_channel
        recipients, seen, mentions = [], set(), []
        for duty in duties if duties is not None else reach.contacts:
            name, mobile, email = enterprise.contact(duty)
            address = self._address(channel, email, mobile)
            if name and mobile:
                mentions.append(Mention(name, mobile))
            if address is None or address in seen:
                continue  # one person holding two duties gets one message
            seen.add(address)
            label = recipient_label(enterprise.name, duty.label, name)
            recipients.append(Recipient(f"enterprise:{enterprise.code}:{duty.value}", label, channel, address))
        if reach.own_bot and enterprise.bot_channel:
            recipients.append(
                Recipient(f"enterprise:{enterprise.code}:bot", recipient_label(enterprise.name),
                          enterprise.bot_channel, mentions=tuple(mentions))
            )
        return recipients

    def _address(self, channel: str, email: str, mobile: str) -> str | None:
        kind = self.config.channels[channel].type
        if kind == "email":
            return email or None
        return email or mobile or None

