"""The admins' reports about warnings: refused inbox files, venues a warning could not reach; each
rendered in Chinese, and each told once however often the problem is seen."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.app import App
from scheduler.config import load_config
from scheduler.config.schema import Config
from scheduler.outbox.models import OutboxMessage
from scheduler.people.directory import Directory
from scheduler.people.models import Staff
from scheduler.planners import warnings as relay
from scheduler.planners.base import PlanContext
from scheduler.rendering import Renderer
from scheduler.warnings import inbox, reports
from tests.warnings.factory import T0, enterprise, warning

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).parent / "samples"
ADMIN = Staff(code="S013", name="彭亮", roles="admin", email="pengl@wlt.example.gov.cn", active=True)


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(ROOT / "config.toml", {"SAFEDUTY_RECEIPT_KEY": "k" * 40}).config


def _gaps(config: Config, venues: list, w=None) -> list:  # noqa: ANN001
    directory = Directory(config, venues, [ADMIN])
    ctx = PlanContext(config, None, directory, None)  # type: ignore[arg-type]
    w = w or warning()
    found = relay.relay_version(config, directory, relay.Officials(), w, T0)
    return list(relay._gaps(ctx, w, found))


def test_venues_a_warning_cannot_reach_are_reported_to_the_admins(config: Config) -> None:
    venues = [
        enterprise("OK", region="140106", warning_contact_email="yj@ok.example.com"),
        enterprise("NONE", region="140110"),  # in 太原, nobody to tell
        enterprise("BLANK", region=""),  # a scenic area with no 行政区划: could be anywhere
        enterprise("ODD", region="某某镇"),  # a name no table knows
        enterprise("KTV", category="entertainment", region=""),  # the rules never reach it
    ]
    found = _gaps(config, venues)
    assert {m.key for m in found} == {
        f"admin:warning-gaps:{warning().thread}:v1:no-contact:staff:S013",
        next(m.key for m in found if ":no-region:" in m.key)}
    by = {m.context["problem"]: m for m in found}
    assert [v["code"] for v in by["no_contact"].context["venues"]] == ["NONE"]
    assert [v["code"] for v in by["no_region"].context["venues"]] == ["BLANK", "ODD"]
    # the next warning finds the same unplaced enterprises: the same key, so told once
    later = _gaps(config, venues, warning(thread="T2", identifier="T2", received_at=T0 + dt.timedelta(days=1)))
    assert by["no_region"].key in {m.key for m in later}
    assert "admin:warning-gaps:T2:v1:no-contact:staff:S013" in {m.key for m in later}


def test_nothing_to_report_when_every_venue_is_reachable(config: Config) -> None:
    assert _gaps(config, [enterprise("OK", region="140106", warning_contact_email="yj@ok.example.com")]) == []
    assert _gaps(config, [enterprise("NONE", region="140110")], warning(status="Test")) == []


def test_a_refused_inbox_file_is_reported_once(shipped: App, tmp_path: Path) -> None:
    box = shipped.loaded.resolve("warnings-inbox")
    box.mkdir()
    shutil.copy(SAMPLES / "bad" / "missing_sender.xml", box / "bad.xml")
    old = os.stat(box / "bad.xml").st_mtime - 60
    os.utime(box / "bad.xml", (old, old))
    object.__setattr__(shipped.config, "warnings", replace(shipped.config.warnings, inbox="warnings-inbox"))
    assert inbox.scan_app(shipped).failed
    inbox.scan_app(shipped)  # nothing new: nothing more
    with shipped.sessions() as session:
        found = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == reports.REFUSED)).all()
        assert [(m.recipient_key, m.context["file"], m.context["source"]) for m in found] == [
            ("staff:S013", "bad.xml", "收件箱")]
        assert "alert/sender" in found[0].context["reason"]


@pytest.mark.parametrize("kind", [reports.FEED_DOWN, reports.FEED_UP, reports.REFUSED, reports.GAPS])
def test_each_report_renders_in_chinese_with_what_to_do(kind: str) -> None:
    import json

    name = kind.split("/", 1)[1]
    sample = json.loads((ROOT / "templates" / "admin" / f"{name}.sample.json").read_text("utf-8"))
    context = {**sample, "recipient_name": "彭亮", "bureau": "山西省文化和旅游厅", "office": "安全生产工作领导小组办公室",
               "ref": "1A2B3C"}
    parts = Renderer(dt.UTC).render(kind, context)
    text = parts.subject + "\n" + parts.text
    print(text)
    assert "{{" not in text and "彭亮：" in text
    expected = {reports.FEED_DOWN: ["shanxi", "超时未响应", "只通知一次"], reports.FEED_UP: ["已恢复", "超时未响应"],
                reports.REFUSED: ["taiyuan_rainstorm.xml", "alert/sender", "收件箱"],
                reports.GAPS: ["西山漂流", "电话通知", "预警联系人"]}[kind]
    assert all(word in text for word in expected), text
