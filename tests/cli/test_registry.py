from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from scheduler.cli import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_registered_command_loads_under_its_name_with_the_help_line_registered(name: str) -> None:
    where, line = COMMANDS[name]
    command = main.get_command(click.Context(main), name)
    assert command is not None, f"{where} is not a command"
    assert command.name == name
    first = (command.help or "").strip().splitlines()[0]
    assert first == line, f"the help line registered for {name!r} in scheduler/cli/__init__.py differs from its docstring"


def test_help_lists_every_command_with_its_line() -> None:
    out = CliRunner().invoke(main, ["--help"]).output
    for name in COMMANDS:
        assert f"  {name} " in out
    assert "What was sent, what is waiting, what failed; send again." in out


def test_help_imports_no_command_module_nor_the_heavy_libraries() -> None:
    probe = (
        "import sys\n"
        "from scheduler.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'jinja2', 'requests', 'holidays', 'alembic', 'apscheduler',"
        " 'openpyxl', 'scheduler.app', 'scheduler.config', 'scheduler.cli.outbox') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out, out


def test_an_unknown_command_is_a_usage_error_naming_it() -> None:
    result = CliRunner().invoke(main, ["nosuch"])
    assert result.exit_code == 2
    assert "No such command 'nosuch'" in result.output
