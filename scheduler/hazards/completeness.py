"""What a major hazard must have: the five items (五到位) and the two reports (双报告).

The same rules twice: as Python over one record (for messages and status checks), and as a SQL
condition (so the completeness planner selects only incomplete hazards in the database). Both
rely on the register storing text stripped, so an empty item is always "".
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from scheduler.hazards.models import Hazard

# 五到位: 整改措施、资金、期限、责任人、应急预案 (e.g. Hubei's rules; domain notes §1)
FIVE_ITEMS = ("整改措施", "整改资金", "整改期限", "整改责任人", "应急预案")
# 双报告 (安全生产法 Art. 41): to the regulator and to the workers' congress
TWO_REPORTS = ("报告监管部门", "报告职代会")


def missing_five_items(hazard: Hazard) -> list[str]:
    present = (
        bool(hazard.measures),
        hazard.funds_yuan is not None and bool(hazard.funds_source),
        hazard.deadline is not None,
        bool(hazard.responsible_name)
        and bool(hazard.responsible_mobile or hazard.responsible_email),
        bool(hazard.contingency_plan),
    )
    return [name for name, ok in zip(FIVE_ITEMS, present, strict=True) if not ok]


def missing_reports(hazard: Hazard) -> list[str]:
    present = (
        hazard.reported_to_regulator_at is not None,
        hazard.reported_to_congress_at is not None,
    )
    return [name for name, ok in zip(TWO_REPORTS, present, strict=True) if not ok]


def missing_items(hazard: Hazard) -> list[str]:
    """Everything a major hazard still lacks, in the order people fill it in."""
    return missing_five_items(hazard) + missing_reports(hazard)


def incomplete_clause() -> ColumnElement[bool]:
    """SQL: the hazard lacks one of the five items or one of the two reports."""
    return or_(
        Hazard.measures == "",
        Hazard.funds_yuan.is_(None),
        Hazard.funds_source == "",
        Hazard.deadline.is_(None),
        Hazard.responsible_name == "",
        (Hazard.responsible_mobile == "") & (Hazard.responsible_email == ""),
        Hazard.contingency_plan == "",
        Hazard.reported_to_regulator_at.is_(None),
        Hazard.reported_to_congress_at.is_(None),
    )
