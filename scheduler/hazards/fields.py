"""The fields of a hazard record as people write them: column headers (Chinese first, then
English) and the parser of each cell. The importer and the CLI share them, so a value means the
same whether it comes from a spreadsheet or from `hazard add --funds 12.5万`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from scheduler import tabular
from scheduler.hazards.vocab import HazardCategory, HazardLevel, HazardSource, HazardStatus
from scheduler.tabular import Column

# Money as people write it: 125000, 125,000, 12.5万, 12.5万元, ¥5万, 人民币5万元, 5 万元.
_AMOUNT = re.compile(r"^(?:人民币|RMB|￥|¥)?\s*(\d+(?:\.\d+)?)\s*(万)?\s*(?:元)?$", re.IGNORECASE)
AMOUNT_FORMS = "125000, 125,000, 12.5万 or 12.5万元"


def funds(value: str) -> int | None:
    """An amount in 元 (see AMOUNT_FORMS; a leading ¥ or 人民币 is fine); empty = not yet known."""
    if not value:
        return None
    text = value.strip()
    for separator in (",", "，", " ", "\u3000"):
        text = text.replace(separator, "")
    match = _AMOUNT.match(text)
    if not match:
        raise ValueError(f"{value!r} is not an amount of money (write {AMOUNT_FORMS})")
    try:
        amount = Decimal(match[1]) * (10000 if match[2] else 1)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount of money (write {AMOUNT_FORMS})") from None
    return int(amount.to_integral_value())


def moment(zone: ZoneInfo) -> Callable[[str], dt.datetime | None]:
    """A local date and time ("2026-01-05 10:30"), or a date alone (taken as its start)."""

    def parse(value: str) -> dt.datetime | None:
        if not value:
            return None
        text = value.replace("T", " ").replace("/", "-").strip()
        try:
            if " " not in text:
                day = tabular.date(value)
                assert day is not None
                return dt.datetime.combine(day, dt.time(), tzinfo=zone)
            return dt.datetime.fromisoformat(text).replace(tzinfo=zone)
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time (write 2026-01-05 10:30)") from None

    return parse


def _vocab(cls: Any, *, optional: bool = True) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        return cls.parse(value) if value or not optional else None

    return parse


def columns(zone: ZoneInfo) -> tuple[Column, ...]:
    """Every column of a hazard file, in the order the register shows them."""
    when = moment(zone)
    return (
        Column("code", ("隐患编号", "编号", "code"), required=True, parse=tabular.text(64)),
        Column(
            "enterprise",
            ("企业", "企业编码", "企业名称", "单位名称", "enterprise"),
            required=True,
            parse=tabular.text(200),
        ),
        Column("title", ("隐患名称", "标题", "title"), required=True, parse=tabular.text(200)),
        Column(
            "description",
            ("隐患描述", "隐患情况", "description"),
            parse=tabular.text(4000),
            multiline=True,
        ),
        Column("location", ("隐患部位", "部位", "位置", "location"), parse=tabular.text(200)),
        Column("category", ("隐患类别", "category"), required=True, parse=_vocab(HazardCategory)),
        Column(
            "level", ("隐患等级", "隐患级别", "level"), required=True, parse=_vocab(HazardLevel)
        ),
        Column("source", ("隐患来源", "来源", "source"), parse=_vocab(HazardSource)),
        Column("found_on", ("发现日期", "排查日期", "found_on"), required=True, parse=tabular.date),
        Column(
            "measures",
            ("整改措施", "治理措施", "measures"),
            parse=tabular.text(4000),
            multiline=True,
        ),
        Column("funds_yuan", ("整改资金", "治理资金", "资金", "funds"), parse=funds),
        Column("funds_source", ("资金来源", "funds_source"), parse=tabular.text(200)),
        Column("deadline", ("整改期限", "整改时限", "治理期限", "deadline"), parse=tabular.date),
        Column("responsible_name", ("整改责任人", "责任人", "responsible"), parse=tabular.text(64)),
        Column(
            "responsible_mobile",
            ("责任人手机", "责任人电话", "responsible_mobile"),
            parse=tabular.mobile,
        ),
        Column("responsible_email", ("责任人邮箱", "responsible_email"), parse=tabular.email),
        Column(
            "contingency_plan",
            ("应急预案", "contingency_plan"),
            parse=tabular.text(4000),
            multiline=True,
        ),
        Column(
            "reported_to_regulator_at",
            ("报告监管部门时间", "报告监管部门", "reported_to_regulator_at"),
            parse=when,
        ),
        Column(
            "reported_to_congress_at",
            ("报告职代会时间", "报告职代会", "reported_to_congress_at"),
            parse=when,
        ),
        Column("status", ("状态", "治理状态", "status"), parse=_vocab(HazardStatus)),
        Column("listed_by", ("挂牌单位", "督办单位", "listed_by"), parse=tabular.text(200)),
        Column(
            "listing_notice", ("督办文号", "挂牌文号", "listing_notice"), parse=tabular.text(100)
        ),
        Column("listed_on", ("挂牌日期", "listed_on"), parse=tabular.date),
        Column("delisted_on", ("摘牌日期", "delisted_on"), parse=tabular.date),
    )


# Fields a person edits; status and deadline change only through their own commands (history).
EDITABLE = (
    "title",
    "description",
    "location",
    "category",
    "level",
    "source",
    "found_on",
    "measures",
    "funds_yuan",
    "funds_source",
    "responsible_name",
    "responsible_mobile",
    "responsible_email",
    "contingency_plan",
    "reported_to_regulator_at",
    "reported_to_congress_at",
    "listed_by",
    "listing_notice",
    "listed_on",
    "delisted_on",
)


def labels(zone: ZoneInfo) -> dict[str, str]:
    """The Chinese name of each field, as column headers spell it."""
    return {c.field: c.label for c in columns(zone)}
