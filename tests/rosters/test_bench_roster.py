"""The benchmark script still runs and its fairness claim holds (no time is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import bench_roster


def test_the_roster_benchmark_runs_and_the_ledger_halves_the_round_robin_spread(tmp_path: Path) -> None:
    assert bench_roster.main(["--runs", "3", "--json", str(tmp_path / "roster.json")]) == 0
    result = json.loads((tmp_path / "roster.json").read_text(encoding="utf-8"))
    for size in (15, 60):
        assert len(result["stats"][f"{size} people ledger (rosters.generate)"]["samples"]) == 3
        for role in ("leader", "officer"):
            (spread,) = [r["value"] for r in result["ratios"] if r["label"] == f"{size} people {role} spread / round-robin's"]
            assert 0 < spread <= 0.5
    names = {p.name for p in bench_roster.team(60)}
    assert len(names) == 60 and all(len(n) >= 2 for n in names)
