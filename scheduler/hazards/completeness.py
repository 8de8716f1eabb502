"""What a major hazard must have: the five items (五到位) and the two reports (双报告).

Each item is named exactly as the import file's column (整改资金, 资金来源…), so a message that
says what is missing tells people which cell or option to fill — never the name of a group of
fields of which one part is already there (funds need an amount *and* a source; the responsible
person a name *and* a mobile or e-mail).

The same rules twice: as Python over one record (for messages and status checks), and as a SQL
condition (so the completeness planner selects only incomplete hazards in the database). Both
rely on the register storing text stripped, so an empty item is always "".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_

from scheduler.hazards.models import Hazard


@dataclass(frozen=True)
class Item:
    label: str  # the import file's column header
    options: str  # the `hazard update` option(s) that fill it
    present: Callable[[Hazard], bool]
    absent: Callable[[], ColumnElement[bool]]  # the SQL condition "it is missing"


# 五到位: 整改措施、资金、期限、责任人、应急预案 (e.g. Hubei's rules; domain notes §1)
FIVE_ITEMS = (
    Item("整改措施", "--measures", lambda h: bool(h.measures), lambda: Hazard.measures == ""),
    Item("整改资金", "--funds", lambda h: h.funds_yuan is not None, lambda: Hazard.funds_yuan.is_(None)),
    Item("资金来源", "--funds-source", lambda h: bool(h.funds_source), lambda: Hazard.funds_source == ""),
    Item("整改期限", "--deadline", lambda h: h.deadline is not None, lambda: Hazard.deadline.is_(None)),
    Item("整改责任人", "--responsible", lambda h: bool(h.responsible_name),
         lambda: Hazard.responsible_name == ""),
    Item("责任人手机或邮箱", "--responsible-mobile or --responsible-email",
         lambda h: bool(h.responsible_mobile or h.responsible_email),
         lambda: (Hazard.responsible_mobile == "") & (Hazard.responsible_email == "")),
    Item("应急预案", "--contingency-plan", lambda h: bool(h.contingency_plan),
         lambda: Hazard.contingency_plan == ""),
)
# 双报告 (安全生产法 Art. 41): to the regulator and to the workers' congress
TWO_REPORTS = (
    Item("报告监管部门时间", "--reported-to-regulator", lambda h: h.reported_to_regulator_at is not None,
         lambda: Hazard.reported_to_regulator_at.is_(None)),
    Item("报告职代会时间", "--reported-to-congress", lambda h: h.reported_to_congress_at is not None,
         lambda: Hazard.reported_to_congress_at.is_(None)),
)
OPTIONS = {item.label: item.options for item in FIVE_ITEMS + TWO_REPORTS}


def missing_five_items(hazard: Hazard) -> list[str]:
    return [item.label for item in FIVE_ITEMS if not item.present(hazard)]


def missing_reports(hazard: Hazard) -> list[str]:
    return [item.label for item in TWO_REPORTS if not item.present(hazard)]


def missing_items(hazard: Hazard) -> list[str]:
    """Everything a major hazard still lacks, in the order people fill it in."""
    return missing_five_items(hazard) + missing_reports(hazard)


def how_to_fill(missing: list[str]) -> str:
    """The `hazard update` options that fill ``missing``: "--funds-source, --contingency-plan"."""
    return ", ".join(OPTIONS[label] for label in missing if label in OPTIONS)


def incomplete_clause() -> ColumnElement[bool]:
    """SQL: the hazard lacks one of the five items or one of the two reports."""
    return or_(*(item.absent() for item in FIVE_ITEMS + TWO_REPORTS))
