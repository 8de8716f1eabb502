"""Start `safeduty` as a real subprocess, watch its log, stop or kill it."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.project import ROOT


class ServiceProcess:
    def __init__(self, config: Path, *args: str, at: dt.datetime | None = None,
                 env: dict[str, str] | None = None) -> None:
        if at is None:
            command = [sys.executable, "-m", "scheduler", "--config", str(config), *args]
        else:
            command = [sys.executable, "-m", "tests.support.timed_main", at.isoformat(),
                       "--config", str(config), *args]
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            command, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
            env={**os.environ, **(env or {})},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        """The first log line matching ``pattern``; fails after ``timeout`` seconds or if the process exits."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    if regex.search(line):
                        return line
                seen = len(self.lines)
                if self.process.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"safeduty exited ({self.process.returncode}) before logging "
                                         f"{pattern!r}:\n" + "\n".join(self.lines[-30:]))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no log line matched {pattern!r} within {timeout}s:\n"
                                         + "\n".join(self.lines[-30:]))
                self._changed.wait(min(left, 0.5))

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def __enter__(self) -> ServiceProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
