"""Shared by the bench scripts: repeated timing, a small table, ratios, and --json output.

Machines here are shared and noisy, so every script measures its baseline in the same run and
reports ratios of medians; absolute figures are printed for context only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Stats:
    name: str
    unit: str
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def parser(doc: str) -> argparse.ArgumentParser:
    """``--runs`` (at least 3) and ``--json FILE``; the description is the docstring's first line."""
    p = argparse.ArgumentParser(description=doc.strip().split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=_runs, default=3, help="repetitions per measurement, at least 3 (median reported)")
    p.add_argument("--json", type=Path, help="also write the results to this JSON file")
    return p


def _runs(text: str) -> int:
    value = int(text)
    if value < 3:
        raise argparse.ArgumentTypeError("at least 3 runs: a median of fewer says little on a shared machine")
    return value


def postgres_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--postgres", default=os.environ.get("SAFEDUTY_BENCH_PG", "none"), metavar="URL",
                   help="also run on PostgreSQL: the admin URL of a server where databases may be created, "
                        f'e.g. {DEFAULT_PG} (default: $SAFEDUTY_BENCH_PG, else "none")')


class FixedClock:
    """The service's clock, stopped at one moment."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(run: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """(seconds, result) of ``run(*args)``."""
    started = time.perf_counter()
    result = run(*args)
    return time.perf_counter() - started, result


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


class Report:
    """Collects measurements and ratios, prints them as a table, optionally writes JSON."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        self.title = title
        self.subtitle = subtitle
        self.stats: dict[str, Stats] = {}
        self.ratios: list[tuple[str, float, str]] = []
        self.notes: dict[str, Any] = {}

    def add(self, name: str, unit: str, value: float) -> None:
        self.stats.setdefault(name, Stats(name, unit)).samples.append(value)

    def ratio(self, label: str, value: float, meaning: str) -> None:
        self.ratios.append((label, value, meaning))

    def median(self, name: str) -> float:
        return self.stats[name].median

    def show(self, json_path: Path | None = None) -> None:
        print(f"\n== {self.title} ==")
        if self.subtitle:
            print(self.subtitle)
        width = max(len(s.name) for s in self.stats.values()) if self.stats else 10
        print(f"{'measurement':<{width}}  {'median':>12}  {'min':>12}  {'max':>12}  unit")
        for s in self.stats.values():
            print(f"{s.name:<{width}}  {s.median:>12,.3f}  {s.low:>12,.3f}  {s.high:>12,.3f}  {s.unit}")
        for label, value, meaning in self.ratios:
            print(f"ratio  {label}: {value:,.2f}  ({meaning})")
        for key, value in self.notes.items():
            print(f"note   {key}: {value}")
        if json_path is not None:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps({
                "title": self.title,
                "subtitle": self.subtitle,
                "stats": {k: {**asdict(v), "median": v.median, "min": v.low, "max": v.high} for k, v in self.stats.items()},
                "ratios": [{"label": label, "value": value, "meaning": meaning} for label, value, meaning in self.ratios],
                "notes": self.notes,
            }, ensure_ascii=False, indent=2), encoding="utf-8")
