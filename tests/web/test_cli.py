"""`safeduty user set-password / disable / roles / list`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scheduler.cli import main
from tests.support.project import make_project
from tests.web.helpers import WEB_TOML


def safeduty(config: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", str(config), *args], input=stdin)


def test_set_password_creates_an_account_with_roles_from_the_staff_file(tmp_path: Path) -> None:
    config = make_project(tmp_path, WEB_TOML)
    result = safeduty(config, "user", "set-password", "S008", "--password-stdin", stdin="a long password\n")
    assert result.exit_code == 0, result.output
    assert "S008: account created (roles: 查看、值班、监管)" in result.output
    listed = json.loads(safeduty(config, "user", "list", "--format", "json").output)
    assert listed[0]["code"] == "S008" and listed[0]["name"] == "唐磊"
    assert listed[0]["roles"] == ["duty", "supervisor", "viewer"]


def test_set_password_prompts_twice_when_not_given_on_stdin(tmp_path: Path) -> None:
    config = make_project(tmp_path, WEB_TOML)
    result = safeduty(config, "user", "set-password", "S013", stdin="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert "admin" in safeduty(config, "user", "list").output


def test_bad_accounts_and_passwords_exit_2_and_change_nothing(tmp_path: Path) -> None:
    config = make_project(tmp_path, WEB_TOML)
    unknown = safeduty(config, "user", "set-password", "S999", "--password-stdin", stdin="a long password\n")
    assert unknown.exit_code == 2 and "no member of staff with 工号 'S999'" in unknown.output
    short = safeduty(config, "user", "set-password", "S001", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    no_account = safeduty(config, "user", "disable", "S001")
    assert no_account.exit_code == 2 and "has no account yet" in no_account.output
    assert "S001" not in safeduty(config, "user", "list").output


def test_roles_and_disable_change_the_account(tmp_path: Path) -> None:
    config = make_project(tmp_path, WEB_TOML)
    safeduty(config, "user", "set-password", "S001", "--password-stdin", stdin="a long password\n")
    assert safeduty(config, "user", "roles", "S001", "值班,admin").exit_code == 0
    bad = safeduty(config, "user", "roles", "S001", "owner")
    assert bad.exit_code == 2 and "unknown web role 'owner'" in bad.output
    assert safeduty(config, "user", "disable", "S001").exit_code == 0
    listed = json.loads(safeduty(config, "user", "list", "--format", "json").output)[0]
    assert listed["roles"] == ["admin", "duty", "viewer"] and listed["disabled"] is True
    assert safeduty(config, "user", "disable", "S001", "--enable").exit_code == 0
    assert json.loads(safeduty(config, "user", "list", "--format", "json").output)[0]["disabled"] is False
