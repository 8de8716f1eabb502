from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import time_machine
from click.testing import CliRunner, Result

from scheduler.cli import main
from tests.support.project import make_project

SAMPLES = Path(__file__).parent / "samples"
NOW = dt.datetime(2026, 7, 20, 1, 0, tzinfo=dt.UTC)


def run(config: Path, *args: str) -> Result:
    with time_machine.travel(NOW, tick=False):
        return CliRunner().invoke(main, ["--config", str(config), *args])


def test_import_good_and_bad_files(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    files = [SAMPLES / "red_rainstorm.xml", SAMPLES / "bad" / "xxe.xml", SAMPLES / "update_yellow.xml",
             SAMPLES / "bad" / "unknown_event.xml"]
    r = run(config, "warning", "import", *map(str, files))
    assert r.exit_code == 2, r.output
    assert "2 of 4 file(s) refused" in r.output
    assert "xxe.xml: refused" in r.output and "unknown_event.xml: alert/info[1]/event" in r.output
    assert "taken: " in r.output and "暴雨黄色 Update" in r.output
    r = run(config, "warning", "list", "--format", "json")
    assert r.exit_code == 0, r.output
    [w] = json.loads(r.output)
    assert (w["level"], w["version"], w["msg_type"]) == ("黄", 2, "Update")
    r = run(config, "warning", "import", str(SAMPLES / "red_rainstorm.xml"))
    assert r.exit_code == 0 and "already taken" in r.output
    r = run(config, "warning", "show", str(w["id"]), "--original")
    assert r.exit_code == 0, r.output
    assert "v1 Alert 红 → " in r.output and "<msgType>Update</msgType>" in r.output
    assert run(config, "warning", "show", "999").exit_code == 2


def test_add_by_hand(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    r = run(config, "warning", "add", "--event", "暴雨", "--level", "红", "--area", "140100,140700",
            "--area-desc", "太原市、晋中市", "--onset", "2026-07-20 09:00", "--expires", "2026-07-20 21:00",
            "--text", "预计未来6小时有大暴雨", "--by", "张三")
    assert r.exit_code == 0, r.output
    assert "暴雨红色预警 太原市、晋中市" in r.output
    r = run(config, "warning", "list")
    assert "暴雨红色" in r.output and "hand:张三" in r.output
    bad = run(config, "warning", "add", "--event", "火山", "--level", "红", "--area", "140100", "--onset",
              "2026-07-20 09:00", "--expires", "2026-07-20 21:00", "--text", "x")
    assert bad.exit_code == 2 and "--event" in bad.output
    bad = run(config, "warning", "add", "--event", "暴雨", "--level", "紫", "--area", "1401", "--onset",
              "2026-07-20 09:00", "--expires", "2026-07-20 21:00", "--text", "x")
    assert bad.exit_code == 2 and "--level" in bad.output


def test_import_unreadable_file(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    shutil.copy(SAMPLES / "cancel.xml", tmp_path / "c.xml")
    r = run(config, "warning", "import", str(tmp_path / "nope.xml"), str(tmp_path / "c.xml"))
    assert r.exit_code == 2 and "nope.xml" in r.output
