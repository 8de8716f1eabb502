"""CLI start-up: `safeduty --help` and `safeduty check` against `python -c pass` in the same run.

    python -m bench.bench_cli [--runs N] [--config config.toml] [--json FILE]

Each command runs as a fresh process (as a person at a terminal starts it), from the same
interpreter as the bench; wall time to exit is measured. `python -c pass` is the floor no
command can go under: the figures that matter are each command's time, and its time above the
floor (what importing and running our code costs). Targets (issue 17 §4): --help < 0.3 s,
check < 0.6 s.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.common import Report, parser

ROOT = Path(__file__).resolve().parent.parent


def _wall(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
    took = time.perf_counter() - started
    if done.returncode not in (0,):
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr.decode()}")
    return took


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--config", type=Path, default=ROOT / "config.toml", help="config the check command reads")
    args = p.parse_args(argv)
    python = sys.executable
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "safeduty --help": [python, "-m", "scheduler", "--help"],
        "safeduty check": [python, "-m", "scheduler", "--config", str(args.config), "check"],
    }
    report = Report("CLI start-up", f"{args.runs} runs each, fresh processes, interleaved; wall seconds to exit")
    for _ in range(args.runs):
        for name, command in commands.items():
            report.add(name, "s", _wall(command))
    floor = report.median("python -c pass")
    for name in ("safeduty --help", "safeduty check"):
        report.notes[f"{name} above python -c pass"] = f"{report.median(name) - floor:.3f} s"
        report.ratio(f"{name} / python -c pass", report.median(name) / floor, "how many interpreter start-ups")
    report.show(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
