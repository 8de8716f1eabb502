"""Projects for tests that run `safeduty run` as real processes: quick service timings, webhook
channels pointed at local receivers, and an outbox filled before the service starts."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

from scheduler.outbox.planned import PlannedMessage
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_project, enqueue
from tests.support.project import make_app

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

# Passes often enough that a test waits seconds, not minutes; the rest is the shipped default.
QUICK_SERVICE = {"plan_every": '"1s"', "dispatch_every": '"0.25s"'}


def scale(name: str, default: int) -> int:
    """A size a developer may change for one run: SAFEDUTY_RELIABILITY_<NAME>=…"""
    return int(os.environ.get(f"SAFEDUTY_RELIABILITY_{name}", default))


def webhook_toml(name: str, url: str, **options: str) -> str:
    lines = "".join(f"{key} = {value}\n" for key, value in options.items())
    return f'\n[channels.{name}]\ntype = "webhook"\nurl = "{url}"\nsecret = "{SECRET}"\n{lines}'


def service_project(folder: Path, extra: str = "", *, database: str | None = None,
                    service: dict[str, str] | None = None) -> Path:
    """A delivery project (templates include ``test/note``) with quick passes; ``service`` sets
    more ``[service]`` keys (TOML values), ``extra`` appends tables."""
    config = delivery_project(folder, extra, database=database)
    keys = {**QUICK_SERVICE, **(service or {})}
    lines = "".join(f"{key} = {value}\n" for key, value in keys.items())
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[service]\n", "[service]\n" + lines, 1), encoding="utf-8")
    return config


def fill_outbox(config: Path, messages: Iterable[PlannedMessage], now: dt.datetime) -> int:
    """Create the database (migrated) and enqueue ``messages`` as planned at ``now``."""
    app = make_app(config, ManualClock(now))
    try:
        return enqueue(app, messages)
    finally:
        app.close()


def write_enterprises(path: Path, count: int) -> Path:
    """A data file of ``count`` generated enterprises (headers are the column names)."""
    from bench import datagen
    from scheduler.people.imports import ENTERPRISE_COLUMNS

    fields = [column.field for column in ENTERPRISE_COLUMNS]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(datagen.enterprises(count))
    return path
