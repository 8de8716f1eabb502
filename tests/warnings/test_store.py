from __future__ import annotations

import datetime as dt

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
