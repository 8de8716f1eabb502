from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from scheduler.app import App
from scheduler.config.warnings import WarningsConfig
from scheduler.warnings import inbox, store

SAMPLES = Path(__file__).parent / "samples"


def test_batch_with_bad_files(app: App, tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    for name in ("red_rainstorm.xml", "update_yellow.xml", "exercise_blue_flood.xml"):
        shutil.copy(SAMPLES / name, box / name)
    for name in ("billion_laughs.xml", "missing_sender.xml"):
        shutil.copy(SAMPLES / "bad" / name, box / name)
    (box / "notes.txt").write_text("not a CAP file")
    big = box / "big.xml"
    big.write_bytes(b"<a>" + b"x" * 2000 + b"</a>")
    now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10)
    result = inbox.scan(box, app.sessions, WarningsConfig(max_bytes=1500), now, wall=now.timestamp())
    assert sorted(result.done) == ["exercise_blue_flood.xml", "red_rainstorm.xml", "update_yellow.xml"]
    assert sorted(result.failed) == ["big.xml", "billion_laughs.xml", "missing_sender.xml"]
    assert "alert/sender" in result.failed["missing_sender.xml"]
    assert "max_bytes" in result.failed["big.xml"]
    assert [(w.msg_type, w.version) for w in result.taken] == [("Alert", 1), ("Alert", 1), ("Update", 2)]
    assert sorted(p.name for p in box.iterdir()) == ["done", "failed", "notes.txt"]
    assert (box / "failed" / "missing_sender.xml.reason.txt").read_text("utf-8").startswith("missing_sender.xml: alert/sender")
    assert [r[0] for r in inbox.rejected(box)] and {r[0] for r in inbox.rejected(box)} == set(result.failed)
    with app.sessions() as s:
        assert len(store.versions_since(s, now - dt.timedelta(hours=1))) == 3
    # the same file dropped again is moved to done/ (under a new name) and not taken twice
    shutil.copy(SAMPLES / "red_rainstorm.xml", box / "red_rainstorm.xml")
    again = inbox.scan(box, app.sessions, WarningsConfig(), now, wall=now.timestamp() + 60)
    assert again.taken == [] and again.done == ["red_rainstorm.1.xml"]


def test_file_still_being_written_waits(app: App, tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    shutil.copy(SAMPLES / "red_rainstorm.xml", box / "a.xml")
    now = dt.datetime.now(dt.UTC)
    os.utime(box / "a.xml", (now.timestamp(), now.timestamp()))
    assert inbox.scan(box, app.sessions, WarningsConfig(), now, wall=now.timestamp()).done == []
    assert inbox.scan(box, app.sessions, WarningsConfig(), now, wall=now.timestamp() + 3).done == ["a.xml"]


def test_scan_app_resolves_the_folder_and_calls_the_hook(app: App, tmp_path: Path) -> None:
    from dataclasses import replace

    from scheduler.warnings import intake

    box = app.loaded.resolve("warnings-inbox")
    box.mkdir()
    shutil.copy(SAMPLES / "red_rainstorm.xml", box / "r.xml")
    old = os.stat(box / "r.xml").st_mtime - 60
    os.utime(box / "r.xml", (old, old))
    object.__setattr__(app.config, "warnings", replace(app.config.warnings, inbox="warnings-inbox"))
    seen: list[str] = []
    intake.AFTER_TAKEN.append(lambda a, s, ws: seen.extend(w.identifier for w in ws))
    try:
        result = inbox.scan_app(app)
    finally:
        intake.AFTER_TAKEN.clear()
    assert result.done == ["r.xml"] and seen == ["14000041600000_20260720080000_1"]
