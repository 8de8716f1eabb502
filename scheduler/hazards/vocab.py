"""The closed vocabularies of a hazard record (16号令 Art. 3; 安全生产法 Art. 41).

As in ``scheduler.vocab``: the value is the English word used in config, JSON and the database,
``label`` the Chinese term of data files and messages; ``parse`` accepts either, and a few aliases.
"""

from __future__ import annotations

from scheduler.vocab import Vocabulary


class HazardVocabulary(Vocabulary):
    def aliases(self) -> tuple[str, ...]:
        return _ALIASES.get(self.label, ())


class HazardLevel(HazardVocabulary):
    """hazard level"""

    GENERAL = "general", "一般"
    MAJOR = "major", "重大"


class HazardCategory(HazardVocabulary):
    """hazard category"""

    THING = "thing", "物"  # 物的危险状态
    PERSON = "person", "人"  # 人的不安全行为
    MANAGEMENT = "management", "管理"  # 管理上的缺陷


class HazardSource(HazardVocabulary):
    """hazard source"""

    SELF_INSPECTION = "self_inspection", "企业自查"
    INSPECTION = "inspection", "监督检查"
    RANDOM_INSPECTION = "random_inspection", "双随机抽查"
    REPORT = "report", "举报"
    ASSIGNED = "assigned", "上级交办"
    OTHER = "other", "其他"


class HazardStatus(HazardVocabulary):
    """hazard status"""

    REGISTERED = "registered", "已登记"
    RECTIFYING = "rectifying", "整改中"
    RECTIFIED = "rectified", "已整改"  # awaiting acceptance (待验收)
    VERIFIED = "verified", "已验收"
    CLOSED = "closed", "已销号"


# Hazards still to be rectified: the only ones escalation, completeness notices and the
# overdue count look at. From "rectified" on, the work is done and waits for acceptance.
OPEN_STATUSES = (HazardStatus.REGISTERED, HazardStatus.RECTIFYING)
OPEN_VALUES = tuple(s.value for s in OPEN_STATUSES)

_ALIASES: dict[str, tuple[str, ...]] = {
    "一般": ("一般隐患", "一般事故隐患"),
    "重大": ("重大隐患", "重大事故隐患"),
    "物": ("物的危险状态", "物的不安全状态"),
    "人": ("人的不安全行为",),
    "管理": ("管理上的缺陷", "管理缺陷"),
    "企业自查": ("自查",),
    "监督检查": ("检查", "执法检查"),
    "双随机抽查": ("双随机", "双随机一公开"),
    "举报": ("群众举报", "投诉举报"),
    "上级交办": ("交办",),
    "其他": ("媒体曝光", "部门移送", "下级报告"),
    "已登记": ("登记", "待整改"),
    "已整改": ("整改完成", "待验收"),
    "已验收": ("验收合格",),
    "已销号": ("销号", "关闭"),
}
