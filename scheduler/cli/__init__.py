"""The `safeduty` command. Each command group lives in its own module, registered below.

A command's module is imported only when that command runs, so `safeduty --help` starts in
the time click takes, and each command pays only for what it uses. Adding a command is one
line: its name, where it is ("module:attribute"), and the line `safeduty --help` shows for it
(the first line of its docstring; tests/cli/test_registry.py checks that they agree).
"""

from __future__ import annotations

import sys

from scheduler.cli.common import Fatal, main

COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("scheduler.cli.service:run", "Run the service: plan reminders and deliver them until stopped (Ctrl-C / SIGTERM)."),
    "check": ("scheduler.cli.service:check", "Check the config, the data files and every template; exit 2 listing every problem."),
    "db": ("scheduler.cli.db:group", "Database schema, backups, and moving to PostgreSQL."),
    "import": ("scheduler.cli.data:group", "Import data files (CSV in UTF-8 or GBK, or XLSX; Chinese or English headers)."),
    "outbox": ("scheduler.cli.outbox:group", "What was sent, what is waiting, what failed; send again."),
    "send-test": ("scheduler.cli.outbox:send_test", "Send a test message through CHANNEL now (not recorded in the outbox)."),
    "calendar": ("scheduler.cli.calendar:command", "Show a year's holiday periods and adjusted working days (调休上班), as the reminders use them."),
    "simulate": ("scheduler.cli.simulate:command", "Show every message the planners would send from --from to --to; nothing is sent or written."),
    "roster": ("scheduler.cli.roster:group", "The 24-hour duty roster: 带班领导 and 值班员 for every duty day."),
    "hazard": ("scheduler.cli.hazard:group", "The hazard register (隐患台账): record, extend, rectify, close; list and show."),
    "status": ("scheduler.cli.status:command", "The service's health: planning, backlog, failures, targets, calendar, next messages."),
    "staff": ("scheduler.cli.people:staff_group", "The bureau's staff as imported: roles, teams, contacts, what each supervises."),
    "enterprise": ("scheduler.cli.people:enterprise_group", "The supervised enterprises as imported: category, grade, region, contacts, bot."),
    "web": ("scheduler.cli.web:web", "Serve the web interface alone, without planning or sending."),
    "feed": ("scheduler.cli.feed:group", "Calendar subscriptions (ICS feeds): issue, revoke and list their tokens."),
    "user": ("scheduler.cli.web:user", "Web accounts: the imported staff, signing in with their 工号 and a password."),
    "receipt": ("scheduler.cli.receipt:group", "Receipts (回执): enter one taken by phone, list what is outstanding, statistics."),
    "report": ("scheduler.cli.report:group", "零报告 and 交接班 reports (XLSX/CSV) for reporting upward; incidents reported upward."),
    "warning": ("scheduler.cli.warning:group", "Weather and emergency warnings (CAP 1.2): import, add by hand, list, show."),
}
main.register(COMMANDS)

__all__ = ["COMMANDS", "Fatal", "main"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
