"""Standard logging, one line per event, as text or JSON; secrets are masked in everything written.

Masking happens on the finished line (message, traceback, stack), so nothing that reaches the
log escapes it: a traceback quoting a URL, a third-party logger, a Python warning. Uncaught
exceptions (the main thread's and other threads') are printed through the same mask. The
loggers of urllib3 and requests print request lines with the URL (``POST /robot/send?
access_token=…``) at DEBUG: they are kept at WARNING, and masked anyway.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from zoneinfo import ZoneInfo

from scheduler import redaction
from scheduler.redaction import Redactor

QUIET = ("apscheduler", "alembic")  # we log what matters of theirs ourselves
URL_LOGGERS = ("urllib3", "requests")  # their DEBUG lines quote request URLs


class _Text(logging.Formatter):
    """Times in the service's zone with the offset shown (2026-02-11 09:00:35.120+08:00): the
    rules are in that zone, and a reader never has to guess which zone a line means."""

    def __init__(self, redact: Redactor, zone: ZoneInfo | None) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        self.redact = redact
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = dt.datetime.fromtimestamp(record.created, self.zone or dt.UTC)
        return moment.isoformat(sep=" ", timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class _Json(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = self.redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = self.redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def setup(fmt: str = "text", level: str = "INFO", secrets: Iterable[str] = (),
          zone: ZoneInfo | None = None) -> None:
    """JSON lines carry UTC with the offset shown ("2026-02-11T01:00:35.120+00:00"); text lines
    the service's zone."""
    redact = redaction.install(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Json(redact) if fmt == "json" else _Text(redact, zone))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in (*QUIET, *URL_LOGGERS):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)  # warnings.warn(...) texts go through the mask too
    _hook_uncaught(redact)


def _hook_uncaught(redact: Redactor) -> None:
    """Print uncaught exceptions as Python does, but masked."""

    def show(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(redact(text))

    def show_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        sys.stderr.write(f"Exception in thread {name}:\n")
        show(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    sys.excepthook = show
    threading.excepthook = show_thread
