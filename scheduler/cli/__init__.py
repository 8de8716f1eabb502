"""The `safeduty` command. Each command group lives in its own module, registered below."""

from __future__ import annotations

import sys

from scheduler.cli import calendar, data, db, hazard, outbox, roster, service, simulate, web
from scheduler.cli.common import Fatal, main

for command in (
    *service.COMMANDS,
    db.group,
    data.group,
    *outbox.COMMANDS,
    calendar.command,
    simulate.command,
    roster.group,
    hazard.group,
    *web.COMMANDS,
):
    main.add_command(command)

__all__ = ["Fatal", "main"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
