"""Run every benchmark (`make bench`), one after another, and summarise the ratios against targets.

    python -m bench [--only NAME ...] [--postgres URL] [--out DIR]

Each benchmark prints its own table as it finishes and writes DIR/NAME.json (default
var/bench/); the summary at the end lists every ratio beside its target. With the defaults (SQLite
only) the whole set takes about 7 minutes on two cores; --postgres adds the PostgreSQL variants of
planning and escalation (about 6 minutes more). The individual scripts take more options:
`python -m bench.bench_planning --help`, …
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from bench import (
    bench_cli,
    bench_email,
    bench_escalation,
    bench_planning,
    bench_roster,
    bench_service,
    bench_web,
    bench_webhook,
)

BENCHMARKS: dict[str, tuple[Callable[[list[str]], int], bool]] = {  # name: (main, takes --postgres)
    "roster": (bench_roster.main, False),
    "escalation": (bench_escalation.main, True),
    "webhook": (bench_webhook.main, False),
    "email": (bench_email.main, False),
    "planning": (bench_planning.main, True),
    "service": (bench_service.main, False),
    "web": (bench_web.main, False),
    "cli": (bench_cli.main, False),
}
# How a ratio's label ends -> its target (the "Done when").
TARGETS: dict[str, tuple[str, float]] = {
    "plan / raw insert": (">=", 0.5),
    "plan / APScheduler": (">=", 100.0),
    "plan time / re-plan time": (">=", 5.0),
    "scan / full-table read": ("<", 1.0),
    "dispatcher / raw": (">=", 1.0),
    "dispatcher / raw, 8 targets": (">=", 3.0),
    "spread / round-robin's": ("<=", 0.5),
    "service idle CPU, % of one core": ("<", 0.5),
    "rate / minimal route's": (">=", 0.3),
}
# Absolute targets, on medians: benchmark -> (measurement, target, unit)
LIMITS: list[tuple[str, str, float, str]] = [
    ("escalation", "sqlite escalation scan", 1000.0, "ms"),
    ("escalation", "postgresql escalation scan", 1000.0, "ms"),
    ("roster", "60 people ledger (rosters.generate)", 1000.0, "ms"),
    ("service", "service resident memory", 120.0, "MB"),
    ("web", "board p95", 50.0, "ms"),
    ("web", "hazard list p95", 100.0, "ms"),
    ("cli", "safeduty --help", 0.3, "s"),
    ("cli", "safeduty check", 0.6, "s"),
]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    p.add_argument("--only", action="append", choices=sorted(BENCHMARKS), help="run only this one (repeatable)")
    p.add_argument("--postgres", default=os.environ.get("SAFEDUTY_BENCH_PG", "none"), metavar="URL",
                   help='admin URL of a PostgreSQL server for planning and escalation (default: "none")')
    p.add_argument("--out", type=Path, default=Path("var/bench"), help="folder for the JSON results")
    args = p.parse_args(argv)
    started = time.perf_counter()
    for name in args.only or BENCHMARKS:
        run, takes_postgres = BENCHMARKS[name]
        options = ["--json", str(args.out / f"{name}.json")]
        if takes_postgres:
            options += ["--postgres", args.postgres]
        began = time.perf_counter()
        run(options)
        print(f"({name}: {time.perf_counter() - began:.0f} s)", flush=True)
    summary(args.out, [name for name in args.only or BENCHMARKS])
    print(f"\nall benchmarks: {time.perf_counter() - started:.0f} s; results in {args.out}/")
    return 0


def summary(folder: Path, names: list[str]) -> None:
    print("\n== summary: ratios of medians measured in the same run, and the targets ==")
    for name in names:
        result = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        for ratio in result["ratios"]:
            label, value = ratio["label"], ratio["value"]
            verdict = next((_verdict(value, *target) for end, target in TARGETS.items() if label.endswith(end)), "")
            print(f"  {name:<10} {label:<48} {value:>10,.2f}  {verdict}")
        for bench, measurement, limit, unit in LIMITS:
            if bench == name and measurement in result["stats"]:
                value = result["stats"][measurement]["median"]
                print(f"  {name:<10} {measurement + ' (' + unit + ')':<48} {value:>10,.2f}  {_verdict(value, '<', limit)}")


def _verdict(value: float, op: str, target: float) -> str:
    met = {">=": value >= target, "<=": value <= target, "<": value < target}[op]
    return f"{'met' if met else 'MISSED'} (target {op} {target:g})"


if __name__ == "__main__":
    raise SystemExit(main())
