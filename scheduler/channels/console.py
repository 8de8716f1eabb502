"""The embedded default channel: each message goes to the log and to a JSONL file."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

from scheduler.channels.base import Rendered

log = logging.getLogger("safeduty.console")


class ConsoleChannel:
    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path

    def send(self, message: Rendered) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = asdict(message)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        log.info("[%s] to %s: %s", self.name, message.recipient_name, message.subject)
        return f"appended to {self.path.name}"

    def close(self) -> None:
        pass
