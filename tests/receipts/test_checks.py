"""`safeduty check` on [receipts]: the key PostgreSQL needs, the key periods named, the link shown."""

from __future__ import annotations

from pathlib import Path

from scheduler.checks import run_checks
from scheduler.config import load_config
from tests.receipts.helpers import KEY, web_project


def problems(config: Path) -> list[str]:
    return run_checks(load_config(config, environ={})).problems


def test_the_shipped_receipts_section_checks_clean(tmp_path: Path) -> None:
    assert problems(web_project(tmp_path / "project")) == []


def test_postgresql_needs_the_key_set(tmp_path: Path) -> None:
    config = web_project(tmp_path / "project")
    text = config.read_text(encoding="utf-8").replace(f'key = "{KEY}"', 'key = ""')
    config.write_text(text.replace('database = "sqlite:///var/safeduty.db"',
                                   'database = "postgresql://safeduty@127.0.0.1:1/none"'), encoding="utf-8")
    found = [p for p in problems(config) if p.startswith("receipts.key")]
    assert found and "SAFEDUTY_RECEIPT_KEY" in found[0]


def test_an_unknown_key_period_for_zero_reports_is_named(tmp_path: Path) -> None:
    config = web_project(tmp_path / "project")
    config.write_text(config.read_text(encoding="utf-8").replace('key_periods = ["main_flood_season"]',
                                                                 'key_periods = ["main_flood"]'), encoding="utf-8")
    assert any(p.startswith("receipts.zero_report.key_periods[0]: no key period 'main_flood'")
               for p in problems(config))


def test_a_kind_asking_for_a_receipt_must_show_the_link(tmp_path: Path) -> None:
    config = web_project(tmp_path / "project", '\n[receipts.kinds."preholiday/final"]\nreceipt = "confirm"\n')
    found = problems(config)
    assert any('receipts.kinds."preholiday/final": its text template does not show the receipt link' in p
               for p in found), found
