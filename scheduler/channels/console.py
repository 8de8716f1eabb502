"""The embedded default channel: each message goes to the log and to a JSONL file."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

from scheduler.channels.base import DeliveryError, Outcome, Rendered
from scheduler.files import append_private

log = logging.getLogger("safeduty.console")


class ConsoleChannel:
    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path

    def send(self, message: Rendered) -> str:
        record = asdict(message)
        try:
            with append_private(self.path) as fh:  # 0600: it holds every message sent
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as exc:  # a full disk may free up; a missing permission will not
            raise DeliveryError(Outcome.TRANSIENT, f"cannot append to {self.path}: {exc.strerror}") from None
        log.info("[%s] to %s: %s", self.name, message.recipient_name, message.subject)
        return f"appended to {self.path.name}"

    def end_batch(self) -> None:
        pass

    def close(self) -> None:
        pass
