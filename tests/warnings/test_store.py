from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from scheduler.app import App
from scheduler.warnings import store
from scheduler.warnings.model import Alert, Area, Info, Reference

T0 = dt.datetime(2026, 7, 20, 8, 0, tzinfo=dt.UTC)


def _alert(ident: str, *, msg_type: str = "Alert", status: str = "Actual", level: str = "橙",
           expires: dt.datetime | None = None, refs: tuple[Reference, ...] = ()) -> Alert:
    info = Info(event="暴雨", level=level, severity="Severe", urgency="Immediate", certainty="Likely",  # type: ignore[arg-type]
                onset=T0, expires=expires or T0 + dt.timedelta(hours=12), sender_name="太原市气象台",
                headline="太原市气象台发布暴雨橙色预警", description="预计未来6小时", instruction="停止户外活动",
                areas=(Area("太原市", ("140100000000",)), Area("晋中市", ("140700000000",))))
    return Alert(identifier=ident, sender="太原市气象台", sent=T0, status=status, msg_type=msg_type,  # type: ignore[arg-type]
                 scope="Public", references=refs, infos=(info,))


def test_thread_versions_and_in_force(app: App) -> None:
    with app.sessions() as s:
        a = store.add_version(s, _alert("A1"), thread="A1", received_at=T0, source="import:a", original="<a/>")
        b = store.add_version(s, _alert("B1", level="红"), thread="B1", received_at=T0 + dt.timedelta(minutes=1),
                              source="import:b", original="<b/>")
        store.add_version(s, _alert("T1", status="Test"), thread="T1", received_at=T0, source="x", original="")
        u = store.add_version(s, _alert("A2", msg_type="Update", level="黄"), thread="A1",
                              received_at=T0 + dt.timedelta(hours=1), source="import:u", original="<u/>")
        s.commit()
        assert (a.version, u.version) == (1, 2)
        assert [w.identifier for w in store.thread(s, "A1")] == ["A1", "A2"]
        assert [w.identifier for w in store.in_force(s, T0 + dt.timedelta(hours=2))] == ["B1", "A2"]
        # before the update arrived, the original was in force
        assert [w.identifier for w in store.in_force(s, T0 + dt.timedelta(minutes=30))] == ["B1", "A1"]
        assert store.in_force(s, T0 + dt.timedelta(hours=13)) == []
        store.add_version(s, _alert("B2", msg_type="Cancel"), thread="B1",
                          received_at=T0 + dt.timedelta(hours=3), source="x", original="")
        s.commit()
        assert [w.identifier for w in store.in_force(s, T0 + dt.timedelta(hours=4))] == ["A2"]
        since = store.versions_since(s, T0 + dt.timedelta(minutes=1))
        assert [w.identifier for w in since] == ["B1", "A2", "B2"]
        assert b.geocodes == ("140100000000", "140700000000") and b.area_desc == "太原市、晋中市"
        assert store.get(s, a.id).original == "<a/>"


def test_the_metric_counts_warnings_in_force_by_level(app: App) -> None:
    """safeduty_warnings_in_force: the red one while it is in force, the yellow Update instead
    after it, nothing after the Cancel; every level is a series, zeros too (for alert rules)."""
    from scheduler import metrics
    from scheduler.config.warnings import WarningsConfig
    from scheduler.warnings import intake

    samples = Path(__file__).parent / "samples"
    now = dt.datetime(2026, 7, 20, 0, 5, tzinfo=dt.UTC)
    clock = SimpleNamespace(now=lambda: now)
    found = metrics.registry(app.sessions, app.config, clock)

    def levels() -> dict[str, float | None]:
        return {lv: found.get_sample_value("safeduty_warnings_in_force", {"level": lv}) for lv in "红橙黄蓝"}

    assert levels() == dict.fromkeys("红橙黄蓝", 0.0)
    for name, hours in (("red_rainstorm.xml", 0), ("update_yellow.xml", 3), ("cancel.xml", 7)):
        with app.sessions.begin() as s:
            intake.take(s, (samples / name).read_bytes(), file=name, source=name, config=WarningsConfig(),
                        now=now + dt.timedelta(hours=hours))
        if hours == 0:
            assert levels() == {"红": 1.0, "橙": 0.0, "黄": 0.0, "蓝": 0.0}
    now += dt.timedelta(hours=3, minutes=1)
    assert levels() == dict.fromkeys("红橙黄蓝", 0.0) | {"黄": 1.0}
    now += dt.timedelta(hours=4)
    assert levels() == dict.fromkeys("红橙黄蓝", 0.0)
