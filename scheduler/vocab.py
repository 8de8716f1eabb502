"""The closed vocabularies of the office: staff roles, enterprise categories, contact duties.

Each member's value is the English word used in config and JSON; ``label`` is the Chinese term
used in data files and messages. ``parse`` accepts either.
"""

from __future__ import annotations

import enum


class Vocabulary(enum.Enum):
    label: str

    # The label's default only lets mypy accept lookups such as Role("leader").
    def __new__(cls, value: str, label: str = "") -> Vocabulary:
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, text: str):  # type: ignore[no-untyped-def]
        wanted = text.strip()
        for member in cls:
            if wanted in (member.value, member.label) or wanted in member.aliases():
                return member
        allowed = "、".join(m.label for m in cls)
        raise ValueError(f"unknown {cls.__doc__ or cls.__name__} {text!r} (one of: {allowed})")

    def aliases(self) -> tuple[str, ...]:
        return _ALIASES.get(self.label, ())

    @classmethod
    def _missing_(cls, value: object):  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            for member in cls:
                if value.strip() == member.label or value.strip() in member.aliases():
                    return member
        return None


class Role(Vocabulary):
    """staff role"""

    LEADER = "leader", "带班领导"
    OFFICER = "officer", "值班员"
    SUPERVISOR = "supervisor", "监管员"
    SECTION_HEAD = "section_head", "安全科负责人"
    BUREAU_LEADER = "bureau_leader", "厅领导"
    ADMIN = "admin", "系统管理员"


class Category(Vocabulary):
    """enterprise category"""

    SCENIC_AREA = "scenic_area", "A级旅游景区"
    ENTERTAINMENT = "entertainment", "娱乐场所"
    INTERNET_CAFE = "internet_cafe", "互联网上网服务营业场所"
    SCRIPT_GAME = "script_game", "剧本娱乐/密室逃脱"
    PERFORMANCE = "performance", "演出场所/演出活动"
    TRAVEL_AGENCY = "travel_agency", "旅行社"
    PUBLIC_CULTURE = "public_culture", "公共文化场馆"
    OTHER = "other", "其他"


class ContactDuty(Vocabulary):
    """enterprise contact"""

    PRINCIPAL = "principal", "主要负责人"
    SAFETY_MANAGER = "safety_manager", "安全管理人员"
    WARNING_CONTACT = "warning_contact", "预警联系人"


_ALIASES: dict[str, tuple[str, ...]] = {
    "带班领导": ("领导", "值班领导"),
    "值班员": ("值班人员",),
    "监管员": ("监管人员", "分管处室"),
    "安全科负责人": ("安全科科长", "科长", "处长"),
    "厅领导": ("局领导", "分管领导"),
    "系统管理员": ("管理员",),
    "A级旅游景区": ("A级景区", "景区", "旅游景区"),
    "互联网上网服务营业场所": ("网吧", "上网服务场所"),
    "剧本娱乐/密室逃脱": ("剧本娱乐", "剧本杀", "密室逃脱", "剧本娱乐经营场所"),
    "演出场所/演出活动": ("演出场所", "演出活动", "剧场"),
    "公共文化场馆": ("文化场馆", "图书馆", "博物馆", "文化馆"),
    "主要负责人": ("负责人", "法定代表人"),
    "安全管理人员": ("安全员", "安全负责人"),
}
