"""Turn the audiences a step names into recipients for one hazard.

Enterprise side: the hazard's responsible person (整改责任人, from the record itself) and the
enterprise's contacts by duty (主要负责人 …). Bureau side: the supervisors of the enterprise's
category/region, and staff groups.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.config.hazards import Audience
from scheduler.config.schema import Config
from scheduler.hazards.models import Hazard
from scheduler.outbox.planned import Recipient
from scheduler.people.directory import Directory
from scheduler.people.models import Enterprise
from scheduler.vocab import ContactDuty


def recipients(
    audiences: Iterable[Audience], directory: Directory, enterprise: Enterprise, hazard: Hazard | None = None
) -> list[Recipient]:
    """Everyone the audiences name, once each: a person named twice (the responsible person is
    often also the principal) gets one message, under the first audience that names them."""
    found: list[Recipient] = []
    for audience in audiences:
        found.extend(_resolve(audience, directory, enterprise, hazard))
    return unique(found)


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


def _resolve(audience: Audience, directory: Directory, enterprise: Enterprise, hazard: Hazard | None) -> list[Recipient]:
    if audience.group:
        return directory.group(audience.group)
    if audience == "supervisor":
        return [r for s in directory.supervisors_of(enterprise) if (r := directory.person(s)) is not None]
    if audience == "responsible":
        return [r] if hazard is not None and (r := responsible(directory.config, enterprise, hazard)) else []
    if audience == "enterprise":
        return directory.contacts(enterprise)
    return directory.contacts(enterprise, [ContactDuty(str(audience))])


def responsible(config: Config, enterprise: Enterprise, hazard: Hazard) -> Recipient | None:
    """The hazard's responsible person, reached like the enterprise's other contacts."""
    channel = config.enterprises.personal or config.delivery.person_channel
    if config.channels[channel].type == "email":
        address = hazard.responsible_email
    else:
        address = hazard.responsible_email or hazard.responsible_mobile
    if not hazard.responsible_name or not address:
        return None
    name = f"{enterprise.name} 整改责任人 {hazard.responsible_name}"
    return Recipient(f"enterprise:{enterprise.code}:responsible:{address}", name, channel, address)
