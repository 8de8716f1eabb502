"""Run `safeduty` in a subprocess whose clock starts at a given moment (and then ticks).

    python -m tests.support.timed_main 2026-02-01T09:00:00+08:00 --config … run

Only tests use this: the service itself reads the real clock in one place (SystemClock), and
time-machine moves that clock for the whole process, APScheduler included.
"""

import datetime as dt
import sys

import time_machine

from scheduler.cli import main

if __name__ == "__main__":
    start = dt.datetime.fromisoformat(sys.argv[1])
    with time_machine.travel(start, tick=True):
        main(sys.argv[2:], prog_name="safeduty")
