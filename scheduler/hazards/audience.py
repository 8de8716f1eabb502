"""Turn the audiences a step names into recipients for one hazard.

Enterprise side: the hazard's responsible person (整改责任人, from the record itself) and the
enterprise's contacts by duty (主要负责人 …). Bureau side: the supervisors of the enterprise's
category/region, and staff groups.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.config.hazards import ENTERPRISE_AUDIENCES, Audience
from scheduler.config.schema import Config
from scheduler.hazards.models import Hazard
from scheduler.outbox.planned import Recipient
from scheduler.people.directory import Directory, recipient_label
from scheduler.people.models import Enterprise
from scheduler.vocab import ContactDuty


class Audiences:
    """Resolves audiences during one planning pass. Supervisors and groups are looked up once
    per enterprise/group: a pass over thousands of hazards asks for the same few again and again."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._supervisors: dict[str, list[Recipient]] = {}
        self._groups: dict[str, list[Recipient]] = {}

    def recipients(
        self, audiences: Iterable[Audience], enterprise: Enterprise, hazard: Hazard | None = None
    ) -> list[Recipient]:
        """Everyone the audiences name, once each: a person named twice (the responsible person
        is often also the principal) gets one message, under the first audience naming them."""
        return [recipient for recipient, _ in self.addressed(audiences, enterprise, hazard)]

    def addressed(
        self, audiences: Iterable[Audience], enterprise: Enterprise, hazard: Hazard | None = None
    ) -> list[tuple[Recipient, Audience]]:
        """Like ``recipients``, each with the audience it was reached as: a message says
        different things to the enterprise that must act and to the bureau that follows it up."""
        found: list[tuple[Recipient, Audience]] = []
        for audience in audiences:
            found.extend((r, audience) for r in self._resolve(audience, enterprise, hazard))
        kept = {id(r) for r in unique(r for r, _ in found)}
        return [(r, a) for r, a in found if id(r) in kept]

    def supervisors(self, enterprise: Enterprise) -> list[Recipient]:
        if enterprise.code not in self._supervisors:
            directory = self.directory
            self._supervisors[enterprise.code] = [
                r
                for s in directory.supervisors_of(enterprise)
                if (r := directory.person(s)) is not None
            ]
        return self._supervisors[enterprise.code]

    def group(self, name: str) -> list[Recipient]:
        if name not in self._groups:
            self._groups[name] = self.directory.group(name)
        return self._groups[name]

    def _resolve(
        self, audience: Audience, enterprise: Enterprise, hazard: Hazard | None
    ) -> list[Recipient]:
        if audience.group:
            return self.group(audience.group)
        if audience == "supervisor":
            return self.supervisors(enterprise)
        if audience == "responsible":
            found = (
                responsible(self.directory.config, enterprise, hazard)
                if hazard is not None
                else None
            )
            return [found] if found is not None else []
        if audience == "enterprise":
            return self.directory.contacts(enterprise)
        return self.directory.contacts(enterprise, [ContactDuty(str(audience))])


def to_enterprise(audience: Audience) -> bool:
    """Whether the audience is the enterprise's side (its people, its bot), not the bureau's."""
    return audience in ENTERPRISE_AUDIENCES


def unique(found: Iterable[Recipient]) -> list[Recipient]:
    seen_keys: set[str] = set()
    seen_addresses: set[tuple[str, str]] = set()
    result = []
    for recipient in found:
        where = (recipient.channel, recipient.address)
        if recipient.key in seen_keys or (recipient.address and where in seen_addresses):
            continue
        seen_keys.add(recipient.key)
        if recipient.address:
            seen_addresses.add(where)
        result.append(recipient)
    return result


def responsible(config: Config, enterprise: Enterprise, hazard: Hazard) -> Recipient | None:
    """The hazard's responsible person, reached like the enterprise's other contacts."""
    channel = config.enterprises.personal or config.delivery.person_channel
    if config.channels[channel].type == "email":
        address = hazard.responsible_email
    else:
        address = hazard.responsible_email or hazard.responsible_mobile
    if not hazard.responsible_name or not address:
        return None
    name = recipient_label(enterprise.name, "整改责任人", hazard.responsible_name)
    # One responsible person per hazard, and message keys carry the hazard: no address in the
    # key, which keeps it short (the outbox key is at most 255 characters).
    return Recipient(f"enterprise:{enterprise.code}:responsible", name, channel, address)
