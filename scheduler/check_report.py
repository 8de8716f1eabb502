"""What `safeduty check` found: the one shape every area's checks append to.

Its own module so that the areas' check modules (``hazards/checks.py``, ``people/checks.py``)
need not import ``scheduler.checks``, which imports them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    today: dt.date | None = None  # given by the CLI, for checks that depend on the date
