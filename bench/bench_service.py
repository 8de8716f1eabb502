"""Simulation and idle cost: `safeduty simulate` for a year, and `safeduty run` left idle.

The data: 1,000 enterprises, 60 staff, 10,000 hazards (5% major) and a published duty roster
for the year, in a SQLite database under the shipped config.toml (console channel).
  simulate — `safeduty simulate --from 2026-01-01 --to 2026-12-31 --format jsonl`, a real
             subprocess; wall time and peak resident memory (from the kernel's accounting of the
             child). Baseline in the same run: a process doing only the same imports
             (`import scheduler.cli, …`) — its time and memory are what any command pays; peak
             memory is each program's own high-water mark (VmHWM, written at exit);
  idle     — `safeduty run` as a subprocess: after its start-up pass (plans, sends what is due
             to the console) it is left idle for 60 s, in three 20-s windows; CPU seconds used
             (user + system, from /proc via psutil) per window, and resident memory. Baseline,
             side by side over the same windows: a process that made the same imports and sleeps.

    python -m bench.bench_service [--enterprises 1000] [--hazards 10000] [--idle 60] [--json FILE]
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from sqlalchemy import insert, select

from bench import datagen
from bench.common import FixedClock, Report, parser, progress
from bench.project import make_config
from scheduler.app import App
from scheduler.config import load_config
from scheduler.hazards.models import Hazard
from scheduler.people.models import Enterprise, Staff

YEAR = 2026
IMPORTS = "import scheduler.cli, scheduler.runner, scheduler.app"


def populate(config: Path, enterprises: int, staff: int, hazards: int, today: dt.date) -> None:
    from rosters.book import RosterBook

    app = App(load_config(config, environ={}), clock=FixedClock(dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC)))
    try:
        with app.sessions.begin() as session:
            session.execute(insert(Enterprise), list(datagen.enterprises(enterprises)))
            session.execute(insert(Staff), list(datagen.staff(staff)))
            ids = list(session.scalars(select(Enterprise.id)))
            rows = datagen.hazards(hazards, ids, today)
            while batch := list(itertools.islice(rows, 5000)):
                session.execute(insert(Hazard), batch)
        with app.sessions.begin() as session:
            book = RosterBook(session, app.config.roster, app.calendar, app.config.service.zone)
            now = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)  # published last week: old news
            book.generate(dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 31), now=now, actor="bench", past=True)
            book.publish(dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 31), now=now, actor="bench")
    finally:
        app.close()


# At exit, a measured child writes its peak resident memory (VmHWM, this program's own, not
# counting the benchmark process it was forked from, as the rusage of a child would) to a file.
_PEAK = ("import atexit, os\n"
         "def _peak():\n"
         "    line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
         "    open(os.environ['SAFEDUTY_BENCH_PEAK'], 'w').write(line.split()[1])\n"
         "atexit.register(_peak)\n")


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from scheduler.cli import main; main()", *args]


def run_measured(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak resident MB) of a Python child run to its end (output discarded)."""
    assert argv[1] == "-c"
    peak = cwd / "peak.kb"
    started = time.perf_counter()
    child = subprocess.run([argv[0], "-c", _PEAK + argv[2], *argv[3:]], check=False, cwd=cwd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, env={**os.environ, "SAFEDUTY_BENCH_PEAK": str(peak)})
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv[3:])} failed: {child.stderr.decode()[-800:]}")
    return seconds, int(peak.read_text()) / 1024  # kB


def simulate(report: Report, config: Path, folder: Path, runs: int) -> None:
    for run in range(runs):
        progress(f"service: simulate a year, run {run + 1}/{runs}")
        seconds, peak = run_measured(command("--config", str(config), "simulate", "--from", f"{YEAR}-01-01",
                                             "--to", f"{YEAR}-12-31", "--format", "jsonl"), folder)
        report.add("simulate a year", "s", seconds)
        report.add("simulate peak memory", "MB", peak)
        seconds, peak = run_measured([sys.executable, "-c", IMPORTS], folder)
        report.add("imports only (baseline)", "s", seconds)
        report.add("imports only peak memory", "MB", peak)
    report.ratio("simulate / imports-only peak memory",
                 report.median("simulate peak memory") / report.median("imports only peak memory"),
                 "memory a year's simulation needs beyond loading the program")


def idle(report: Report, config: Path, folder: Path, seconds: float, windows: int) -> None:
    log = folder / "run.log"
    with log.open("wb") as out:
        service = subprocess.Popen(command("--config", str(config), "run"), cwd=folder, stdout=out,
                                   stderr=subprocess.STDOUT)
    baseline = subprocess.Popen([sys.executable, "-c", f"{IMPORTS}; import time; time.sleep({seconds + 120})"],
                                cwd=folder)
    try:
        deadline = time.monotonic() + 300
        while b"running; planning every" not in log.read_bytes():
            if service.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"safeduty run did not start:\n{log.read_text()[-800:]}")
            time.sleep(0.2)
        progress(f"service: idle for {seconds:g} s")
        time.sleep(5)  # let the start-up pass's last writes settle
        watched = {"service": psutil.Process(service.pid), "baseline": psutil.Process(baseline.pid)}
        total = {name: 0.0 for name in watched}
        for _ in range(windows):
            before = {name: _cpu(p) for name, p in watched.items()}
            started = time.monotonic()
            time.sleep(seconds / windows)
            elapsed = time.monotonic() - started
            for name, process in watched.items():
                used = _cpu(process) - before[name]
                total[name] += used
                report.add(f"{name} idle CPU", "% of a core", used / elapsed * 100)
                report.add(f"{name} resident memory", "MB", process.memory_info().rss / 2**20)
        report.notes["idle CPU seconds over the whole window"] = (
            f"service {total['service']:.3f} s, baseline {total['baseline']:.3f} s in {seconds:g} s")
    finally:
        service.terminate()
        baseline.terminate()
        service.wait(60)
        baseline.wait(10)
    report.ratio("service / baseline resident memory",
                 report.median("service resident memory") / report.median("baseline resident memory"),
                 "memory the running service holds beyond its imports (target: service < 120 MB)")
    report.ratio("service idle CPU, % of one core", report.median("service idle CPU"),
                 "target < 0.5 (the baseline's is beside it in the table)")


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--enterprises", type=int, default=1000)
    p.add_argument("--staff", type=int, default=60)
    p.add_argument("--hazards", type=int, default=10_000)
    p.add_argument("--idle", type=float, default=60.0, help="seconds the service is left idle (0: simulate only)")
    args = p.parse_args(argv)
    report = Report("simulation and idle cost",
                    f"{args.enterprises:,} enterprises, {args.staff} staff, {args.hazards:,} hazards, a published "
                    f"roster; SQLite; median of {args.runs} runs / windows")
    with tempfile.TemporaryDirectory(prefix="safeduty-bench-") as name:
        folder = Path(name)
        config = make_config(f"sqlite:///{folder}/safeduty.db", folder)
        progress("service: generating the data")
        populate(config, args.enterprises, args.staff, args.hazards, dt.date.today())
        simulate(report, config, folder, args.runs)
        if args.idle > 0:
            idle(report, config, folder, args.idle, args.runs)
    report.show(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
