"""Tables for enterprises (企业) and staff (工作人员)."""

from __future__ import annotations

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import Base
from scheduler.people.records import EnterpriseFacts, StaffFacts


class Enterprise(Base, EnterpriseFacts):
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


class Staff(Base, StaffFacts):
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
