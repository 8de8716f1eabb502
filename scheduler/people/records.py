"""What an enterprise and a member of staff know about themselves, wherever they are stored.

The ORM rows (``people.models``) and the plain records `safeduty check` builds from the data
files share these methods; the records need no SQLAlchemy, which `check` does not otherwise
import (0.25 s of its start-up).
"""

from __future__ import annotations

from typing import Any

from scheduler.vocab import Category, ContactDuty, Role


class EnterpriseFacts:
    category: str
    region: str
    venue_features: str

    @property
    def category_enum(self) -> Category:
        return Category(self.category)

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(f for f in self.venue_features.split(",") if f)

    def contact(self, duty: ContactDuty) -> tuple[str, str, str]:
        """(name, mobile, email) of the contact holding ``duty``."""
        prefix = duty.value
        return (
            getattr(self, f"{prefix}_name"),
            getattr(self, f"{prefix}_mobile"),
            getattr(self, f"{prefix}_email"),
        )


class StaffFacts:
    roles: str
    supervises_categories: str
    supervises_regions: str

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles.split(",") if r)

    def supervises(self, enterprise: EnterpriseFacts) -> bool:
        categories = [c for c in self.supervises_categories.split(",") if c]
        regions = [r for r in self.supervises_regions.split(",") if r]
        return (not categories or enterprise.category in categories) and (
            not regions or any(enterprise.region.startswith(r) for r in regions)
        )


class _Record:
    """A data file's row as attributes (every field of the file, and ``active``)."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)
        self.active = True


class EnterpriseRecord(_Record, EnterpriseFacts):
    pass


class StaffRecord(_Record, StaffFacts):
    pass
