"""Tables for enterprises (企业) and staff (工作人员)."""

from __future__ import annotations

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import Base
from scheduler.vocab import Category, ContactDuty, Role


class Enterprise(Base):
    """A supervised enterprise. ``code`` is the 统一社会信用代码 or the bureau's own code."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str] = mapped_column(String(8), default="")  # A级景区: 1A–5A
    region: Mapped[str] = mapped_column(String(64), default="")  # 行政区划 code or name
    principal_name: Mapped[str] = mapped_column(String(64), default="")
    principal_mobile: Mapped[str] = mapped_column(String(32), default="")
    principal_email: Mapped[str] = mapped_column(String(254), default="")
    safety_manager_name: Mapped[str] = mapped_column(String(64), default="")
    safety_manager_mobile: Mapped[str] = mapped_column(String(32), default="")
    safety_manager_email: Mapped[str] = mapped_column(String(254), default="")
    warning_contact_name: Mapped[str] = mapped_column(String(64), default="")
    warning_contact_mobile: Mapped[str] = mapped_column(String(32), default="")
    warning_contact_email: Mapped[str] = mapped_column(String(254), default="")
    bot_channel: Mapped[str] = mapped_column(String(64), default="")
    # 场所特征: comma-separated venue features (漂流, 玻璃栈道, 索道, 野外 …) the warning relay matches on.
    venue_features: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

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


class Staff(Base):
    """A member of the bureau's staff. ``roles`` is a comma-separated list of Role values."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    roles: Mapped[str] = mapped_column(String(200), default="")
    team: Mapped[str] = mapped_column(String(64), default="")
    mobile: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    feishu_open_id: Mapped[str] = mapped_column(String(64), default="")
    # For supervisors: which categories and regions (行政区划 code prefixes) they oversee; empty = all.
    supervises_categories: Mapped[str] = mapped_column(Text, default="")
    supervises_regions: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles.split(",") if r)

    def supervises(self, enterprise: Enterprise) -> bool:
        categories = [c for c in self.supervises_categories.split(",") if c]
        regions = [r for r in self.supervises_regions.split(",") if r]
        return (not categories or enterprise.category in categories) and (
            not regions or any(enterprise.region.startswith(r) for r in regions)
        )
