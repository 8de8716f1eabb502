"""Warning versions and enterprises for the relay tests (built directly, no intake needed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from scheduler.people.models import Enterprise
from scheduler.warnings.model import Warning
from tests.support.clock import local

T0 = local(2026, 7, 20, 14, 0)


def warning(**changes: Any) -> Warning:
    values: dict[str, Any] = dict(
        id=1, thread="31000041600000020260720140000001", identifier="31000041600000020260720140000001",
        version=1, status="Actual", msg_type="Alert", event="暴雨", level="红",
        onset=T0, expires=T0 + dt.timedelta(hours=12), sender_name="太原市气象台",
        headline="太原市气象台发布暴雨红色预警信号",
        description="预计未来3小时内太原市区及清徐县将出现100毫米以上降水。",
        instruction="停止户外活动,转移低洼地带人员。", area_desc="太原市", geocodes=("140100",),
        received_at=T0, source="inbox:red.xml")
    values.update(changes)
    return Warning(**values)


def enterprise(code: str, category: str = "scenic_area", region: str = "140106", features: str = "", **more: Any
               ) -> Enterprise:
    values: dict[str, Any] = dict(code=code, name=f"示例{code}", category=category, grade="", region=region,
                                  principal_name="", principal_mobile="", principal_email="",
                                  safety_manager_name="", safety_manager_mobile="", safety_manager_email="",
                                  warning_contact_name="", warning_contact_mobile="", warning_contact_email="",
                                  bot_channel="", venue_features=features, active=True)
    values.update(more)
    return Enterprise(**values)
