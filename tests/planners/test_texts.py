"""What people read (issue 15 §13): one sign-off everywhere, configurable; the report upward
signed and dated; an unconfirmed date never stated as fact; Chinese list punctuation and quotes;
a supervisor's T-7 notice counting only what they supervise."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from rosters.changes import leave_reason
from scheduler.app import App
from scheduler.rendering import BUILTIN_TEMPLATES
from tests.support.clock import ManualClock, local
from tests.support.project import make_app
from tests.support.reminders import planned, rendered, shipped_project

SIGNED = '\n[messages]\nsignature = "山西省文化和旅游厅安全生产办公室"\n'


def test_every_kind_signs_off_the_same_way_and_the_signature_is_configurable(tmp_path: Path,
                                                                            clock: ManualClock) -> None:
    app = make_app(shipped_project(tmp_path / "p", SIGNED), clock)
    try:
        found = planned(app, local(2026, 1, 1, 0, 0), local(2026, 7, 1, 0, 0))
        kinds = {m.kind: m for m in found}
        assert {"preholiday/self_inspection", "preholiday/inspection", "key_period/start"} <= set(kinds)
        for message in kinds.values():
            text = rendered(app, message).text
            assert text.rstrip().endswith(f"山西省文化和旅游厅安全生产办公室\n编号 {rendered(app, message).ref}"), \
                (message.kind, text[-80:])
        # A text with a bracket is rendered again for the chat bots (values made inert): signed alike.
        message = kinds["preholiday/self_inspection"]
        bracketed = dataclasses.replace(message, recipient=dataclasses.replace(message.recipient, name="景区[A]"))
        parts = rendered(app, bracketed)
        assert "景区［A］" in parts.markdown, parts.markdown
        assert parts.markdown.rstrip().endswith(f"山西省文化和旅游厅安全生产办公室\n编号 {parts.ref}"), parts.markdown[-80:]
    finally:
        app.close()
    for template in BUILTIN_TEMPLATES.rglob("*.j2"):  # no other sign-off form is left in a message template
        body = template.read_text(encoding="utf-8")
        assert "{{ office }}　编号" not in body and "{{ bureau }}{{ office }}（{{ ref }}）" not in body, template


def test_an_unconfirmed_key_period_is_never_stated_as_fact(shipped: App) -> None:
    found = planned(shipped, local(2026, 5, 20, 0, 0), local(2026, 6, 16, 0, 0), ["key_periods"])
    flood = [m for m in found if m.key.startswith("key_period:flood_season:") and m.context.get("enterprise")]
    start = next(m for m in flood if m.kind == "key_period/start")
    reminder = next(m for m in flood if m.kind == "key_period/reminder")
    for message in (start, reminder):
        parts = rendered(shipped, message)
        assert "暂定至9月30日" in parts.text and "6月1日（星期一）至9月30日" not in parts.text
    assert "暂定至9月30日" in rendered(shipped, reminder).subject
    month = next(m for m in found if m.key.startswith("key_period:safety_month:") and m.kind == "key_period/start")
    assert "6月1日（星期一）至6月30日（星期二）" in rendered(shipped, month).text  # confirmed: stated plainly


def test_lists_end_with_a_full_stop_and_quotes_are_chinese(shipped: App) -> None:
    found = planned(shipped, local(2026, 5, 20, 0, 0), local(2026, 6, 1, 0, 0), ["key_periods"])
    message = next(m for m in found if m.kind == "key_period/start" and m.context["measures"])
    lines = [line for line in rendered(shipped, message).text.splitlines() if line[:1].isdigit()]
    assert all(line.endswith("；") for line in lines[:-1]) and lines[-1].endswith("。")
    for template in BUILTIN_TEMPLATES.rglob("*"):  # every message's template (the web pages are not messages)
        if template.suffix in (".j2", ".md") and "web" not in template.relative_to(BUILTIN_TEMPLATES).parts:
            assert not set("“”") & set(template.read_text(encoding="utf-8")), template


def test_leave_reads_naturally_in_a_change_notice() -> None:
    assert leave_reason("宋佳", "请假", dt.date(2026, 3, 2), dt.date(2026, 3, 8), "探亲") == \
        "宋佳请假（2026年3月2日至3月8日）：探亲"
    assert leave_reason("宋佳", "病假", dt.date(2026, 12, 30), dt.date(2027, 1, 2), "") == \
        "宋佳病假（2026年12月30日至2027年1月2日）"


def test_a_supervisors_t7_notice_counts_only_the_enterprises_they_supervise(shipped: App) -> None:
    found = planned(shipped, local(2026, 9, 23, 0, 0), local(2026, 9, 25, 0, 0), ["preholiday"])
    inspection = {m.recipient.key: m for m in found if m.kind == "preholiday/inspection"}
    # 邓超 (S010) supervises A级旅游景区 and 旅行社; 唐磊 (S008) the entertainment venues.
    assert {c["category"] for c in inspection["staff:S010"].context["enterprise_counts"]} <= {"A级旅游景区", "旅行社"}
    assert "A级旅游景区" not in {c["category"] for c in inspection["staff:S008"].context["enterprise_counts"]}
    text = rendered(shipped, inspection["staff:S010"]).text
    assert "监管企业：A级旅游景区" in text and "娱乐场所" not in text
