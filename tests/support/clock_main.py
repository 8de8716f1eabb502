"""Run `safeduty` in a subprocess whose clock starts at a given moment, ticks, and jumps when told.

    python -m tests.support.clock_main CONTROL_FILE 2026-09-30T08:50:00+08:00 --config … run

On SIGUSR1 the process reads a number of seconds from CONTROL_FILE and moves its whole clock
(time.time, datetime.now, APScheduler's) by that much, back when negative: what an NTP step or a
resumed virtual machine does to a service. The monotonic clock is left alone, as the kernel
does. ``JumpingServiceProcess`` starts it and sends the jumps.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.support.observe import wait_until
from tests.support.process import ServiceProcess
from tests.support.project import ROOT

JUMPED = "test clock jumped by"


class JumpingServiceProcess(ServiceProcess):
    def __init__(self, config: Path, *args: str, at: dt.datetime, control: Path) -> None:
        # Set up as ServiceProcess does, with this module as the entry point.
        self.control = control
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.jumps = 0
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.clock_main", str(control), at.isoformat(),
             "--config", str(config), *args],
            cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=dict(os.environ),
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __enter__(self) -> JumpingServiceProcess:
        return self

    def jump(self, delta: dt.timedelta) -> None:
        """Move the process's clock by ``delta`` and wait until it has."""
        self.control.write_text(str(delta.total_seconds()), encoding="utf-8")
        os.kill(self.pid, signal.SIGUSR1)
        self.jumps += 1
        wait_until(lambda: sum(JUMPED in line for line in self.lines) >= self.jumps, 10, "the clock to jump",
                   explain=lambda: "\n".join(self.lines[-10:]))


def _main(argv: list[str]) -> None:
    import time_machine

    from scheduler.cli import main

    control, start = Path(argv[0]), dt.datetime.fromisoformat(argv[1])
    with time_machine.travel(start, tick=True) as traveller:
        def jump(*_: Any) -> None:
            seconds = float(control.read_text(encoding="utf-8"))
            traveller.shift(seconds)
            print(f"{JUMPED} {seconds:+g}s: now {dt.datetime.now(dt.UTC).isoformat()}", file=sys.stderr, flush=True)

        signal.signal(signal.SIGUSR1, jump)
        main(argv[2:], prog_name="safeduty")


if __name__ == "__main__":
    _main(sys.argv[1:])
