"""`safeduty staff list`, `safeduty enterprise list`, and docs/data.md as their reference (issue 15 §18)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scheduler.cli import main
from scheduler.people.imports import ENTERPRISE_COLUMNS, STAFF_COLUMNS
from scheduler.vocab import Category, ContactDuty, Role
from tests.support.project import ROOT, make_project


def run(config: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", str(config), *args])


def test_staff_list_shows_roles_teams_contacts_and_what_each_supervises(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    table = run(config, "staff", "list")
    assert table.exit_code == 0, table.output
    line = next(x for x in table.stdout.splitlines() if x.startswith("S010"))
    assert "邓超" in line and "值班员、监管员" in line and "A级旅游景区、旅行社" in line and "在用" in line
    supervisors = json.loads(run(config, "staff", "list", "--role", "监管员", "--format", "json").stdout)
    assert [p["code"] for p in supervisors] == ["S008", "S010", "S012"]
    assert supervisors[1]["supervises_categories"] == ["A级旅游景区", "旅行社"]
    assert {"value": "supervisor", "label": "监管员"} in supervisors[1]["roles"]
    bad = run(config, "staff", "list", "--role", "清洁工")
    assert bad.exit_code == 2 and "--role" in bad.output and "带班领导" in bad.output


def test_enterprise_list_shows_each_contact_and_the_bot(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    found = json.loads(run(config, "enterprise", "list", "--category", "景区", "--format", "json").stdout)
    assert [e["code"] for e in found] == ["91140100EX0000001A", "91140200EX0000002B"]
    assert found[0]["category"] == {"value": "scenic_area", "label": "A级旅游景区"}
    assert found[0]["contacts"]["warning_contact"] == {"name": "赵预警", "mobile": "13900000103",
                                                       "email": "yujing@jinci.example.com"}
    table = run(config, "enterprise", "list").stdout
    assert "预警联系人" in table.splitlines()[0] and "赵预警 13900000103" in table


def test_deactivated_people_show_only_with_all(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    staff = config.parent / "staff.csv"
    assert run(config, "staff", "list").exit_code == 0  # synced once
    staff.write_text("\n".join(line for line in staff.read_text(encoding="utf-8").splitlines()
                               if not line.startswith("S013")) + "\n", encoding="utf-8")
    assert "S013" not in run(config, "staff", "list").stdout
    everyone = run(config, "staff", "list", "--all").stdout
    assert any(line.startswith("S013") and "已停用" in line for line in everyone.splitlines())


def test_docs_data_names_every_column_and_every_accepted_word() -> None:
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    for column in STAFF_COLUMNS + ENTERPRISE_COLUMNS:
        assert column.label in text, column.label
    for vocabulary in (Role, Category, ContactDuty):
        for member in vocabulary:
            assert member.label in text and f"`{member.value}`" in text, member
            for alias in member.aliases():
                assert alias in text, (member, alias)
