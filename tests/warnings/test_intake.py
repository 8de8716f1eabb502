from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from scheduler.app import App
from scheduler.config.warnings import WarningsConfig
from scheduler.warnings import cap, intake, store

SAMPLES = Path(__file__).parent / "samples"
NOW = dt.datetime(2026, 7, 20, 0, 5, tzinfo=dt.UTC)
CFG = WarningsConfig()


def _take(s, name: str, config: WarningsConfig = CFG, now: dt.datetime = NOW):  # type: ignore[no-untyped-def]
    return intake.take(s, (SAMPLES / name).read_bytes(), file=name, source=f"import:{name}", config=config, now=now)


def test_thread_update_cancel_and_dedupe(app: App) -> None:
    with app.sessions() as s:
        [red] = _take(s, "red_rainstorm.xml")
        assert _take(s, "red_rainstorm.xml") == []  # the same document again
        [upd] = _take(s, "update_yellow.xml", now=NOW + dt.timedelta(hours=3))
        [can] = _take(s, "cancel.xml", now=NOW + dt.timedelta(hours=7))
        s.commit()
        assert red.thread == upd.thread == can.thread == "14000041600000_20260720080000_1"
        assert [(w.version, w.msg_type, w.level) for w in store.thread(s, red.thread)] == [
            (1, "Alert", "红"), (2, "Update", "黄"), (3, "Cancel", "黄")]
        assert store.in_force(s, NOW + dt.timedelta(hours=4))[0].identifier == upd.identifier
        assert store.in_force(s, NOW + dt.timedelta(hours=8)) == []
        assert "<identifier>14000041600000_20260720080000_1</identifier>" in store.get(s, red.id).original  # type: ignore[union-attr]


def test_cancel_without_info_takes_the_thread(app: App) -> None:
    text = (SAMPLES / "cancel.xml").read_text("utf-8")
    bare = text[:text.index("<info>")] + "</alert>\n"
    with app.sessions() as s:
        _take(s, "red_rainstorm.xml")
        _take(s, "update_yellow.xml")
        [c] = intake.take(s, bare, file="c.xml", source="x", config=CFG, now=NOW)
        assert (c.msg_type, c.event, c.level, c.version) == ("Cancel", "暴雨", "黄", 3)
        assert c.geocodes == ("140100000000", "140700000000")
    with app.sessions() as s, pytest.raises(cap.CapError, match="alert/references"):
        intake.take(s, bare.replace("20260720150000", "20260720150100"), file="c.xml", source="x", config=CFG, now=NOW)


def test_statuses_and_hook(app: App) -> None:
    seen: list[list[str]] = []
    intake.AFTER_TAKEN.append(lambda a, s, ws: seen.append([w.identifier for w in ws]))
    try:
        fake = SimpleNamespace(config=SimpleNamespace(warnings=CFG))
        with app.sessions() as s:
            [ex] = _take(s, "exercise_blue_flood.xml")
            [te] = _take(s, "test_orange_wind.xml")
            assert ex.drill and not te.drill and te.status == "Test"
            intake.after_taken(fake, s, [ex, te])
            assert seen == [[ex.identifier]]  # Test is stored, not handed on
            assert [w.identifier for w in store.in_force(s, NOW + dt.timedelta(days=1, hours=2))] == [ex.identifier]
            stored_only = SimpleNamespace(config=SimpleNamespace(warnings=WarningsConfig(exercise="store")))
            intake.after_taken(stored_only, s, [ex])
            assert len(seen) == 1
        with app.sessions() as s, pytest.raises(cap.CapError, match="alert/status"):
            _take(s, "test_orange_wind.xml", config=WarningsConfig(test="refuse"))
        with app.sessions() as s, pytest.raises(cap.CapError, match="alert/status"):
            _take(s, "exercise_blue_flood.xml", config=WarningsConfig(exercise="refuse"))
    finally:
        intake.AFTER_TAKEN.clear()


def test_bad_document_changes_nothing(app: App) -> None:
    with app.sessions() as s:
        with pytest.raises(cap.CapError):
            _take(s, "bad/unknown_event.xml")
        assert store.versions_since(s, NOW - dt.timedelta(days=1)) == []


def test_an_original_arriving_after_its_update_joins_the_thread_as_history(app: App) -> None:
    """Feeds and fax relays deliver out of order: the yellow Update first (it names an original
    we do not hold, so it starts a thread), the red original an hour later. The original joins
    the Update's thread as its earlier version; the Update stays in force and the planner sends
    nothing for the stale original (its recipients already have the Update)."""
    from scheduler.outbox.planned import Window
    from scheduler.planners.warnings import plan

    with app.sessions() as s:
        [upd] = _take(s, "update_yellow.xml", now=NOW + dt.timedelta(hours=3))
        [red] = _take(s, "red_rainstorm.xml", now=NOW + dt.timedelta(hours=4))
        s.commit()
        assert red.thread == upd.thread
        assert [(w.msg_type, w.level) for w in store.thread(s, upd.thread)] == [("Alert", "红"), ("Update", "黄")]
        [current] = store.in_force(s, NOW + dt.timedelta(hours=4))
        assert current.identifier == upd.identifier
    app.service.sync_data()
    with app.sessions() as s:
        ctx = app.service.context(s)
        keys = [m.key for m in plan(ctx, Window(NOW + dt.timedelta(hours=2), NOW + dt.timedelta(hours=4, minutes=1)))]
    assert keys and all(f":v{upd.version}:" in k for k in keys if not k.startswith(("warning-status", "warning-resend")))
    assert not any(f":v{red.version}:" in k for k in keys)


def test_the_list_and_the_page_show_the_update_as_the_threads_latest(app: App) -> None:
    with app.sessions() as s:
        [upd] = _take(s, "update_yellow.xml", now=NOW + dt.timedelta(hours=3))
        [red] = _take(s, "red_rainstorm.xml", now=NOW + dt.timedelta(hours=4))
        s.commit()
        assert [r.id for r in store.recent(s) if r.thread == upd.thread] == [upd.id]


def test_a_warning_that_had_expired_before_it_arrived_is_kept_and_not_relayed(app: App) -> None:
    """A feed's first poll of a folder with last month's files, a fax scanned a day late: the
    warning is over before we hold it. It is stored (the list shows it as ended), and nobody is
    sent a warning that is over, nor an update of it that is over too."""
    from scheduler.outbox.planned import Window
    from scheduler.planners.warnings import plan

    late = NOW + dt.timedelta(days=1)
    with app.sessions() as s:
        [red] = _take(s, "red_rainstorm.xml", now=late)
        [update] = _take(s, "update_yellow.xml", now=late + dt.timedelta(minutes=10))
        s.commit()
        assert store.in_force(s, late) == [] and red.thread == update.thread
    app.service.sync_data()
    with app.sessions() as s:
        ctx = app.service.context(s)
        keys = [m.key for m in plan(ctx, Window(late - dt.timedelta(minutes=5), late + dt.timedelta(minutes=20)))]
    assert not [k for k in keys if k.startswith("warning:")], keys
