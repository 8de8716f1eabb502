"""Build a throw-away project folder: config.toml, data files and a database, from pieces."""

from __future__ import annotations

import shutil
from pathlib import Path

from scheduler.app import App
from scheduler.config import load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

BASE_CONFIG = """
[service]
database = "{database}"
first_run_lookback = "1d"

[data]
enterprises = "enterprises.csv"
staff = "staff.csv"

[channels.console]
type = "console"
path = "var/console.jsonl"

[groups.duty_team]
label = "值班组"
roles = ["leader", "officer"]

[groups.safety_section]
label = "安全科"
roles = ["section_head"]

[groups.supervisors]
roles = ["supervisor"]

[groups.section_heads]
roles = ["section_head"]

[groups.bureau_leaders]
roles = ["bureau_leader"]

[groups.admins]
roles = ["admin"]
"""


def make_project(folder: Path, extra: str = "", *, database: str | None = None, base: str = BASE_CONFIG) -> Path:
    """Write config.toml (the base plus ``extra`` TOML) and copy the example data; returns the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "enterprises.csv", folder / "enterprises.csv")
    shutil.copy(EXAMPLES / "staff.csv", folder / "staff.csv")
    config = folder / "config.toml"
    config.write_text(base.format(database=database or "sqlite:///var/safeduty.db") + extra, encoding="utf-8")
    return config


def make_app(config: Path, clock: object, worker: str = "test-worker") -> App:
    return App(load_config(config, environ={}), clock=clock, worker=worker)  # type: ignore[arg-type]
