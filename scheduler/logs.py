"""Standard logging, one line per event, as text or JSON; known secrets are masked."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Iterable
from zoneinfo import ZoneInfo


class _Redact(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _Text(logging.Formatter):
    """Times in the service's zone with the offset shown (2026-02-11 09:00:35.120+08:00): the
    rules are in that zone, and a reader never has to guess which zone a line means."""

    def __init__(self, zone: ZoneInfo | None) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = dt.datetime.fromtimestamp(record.created, self.zone or dt.UTC)
        return moment.isoformat(sep=" ", timespec="milliseconds")


def setup(fmt: str = "text", level: str = "INFO", secrets: Iterable[str] = (),
          zone: ZoneInfo | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Redact(secrets))
    if fmt == "json":
        handler.setFormatter(_Json())  # UTC, offset shown: "2026-02-11T01:00:35.120+00:00"
    else:
        handler.setFormatter(_Text(zone))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "alembic"):  # we log what matters of theirs ourselves
        logging.getLogger(noisy).setLevel(logging.WARNING)
