"""The escalation benchmark stays runnable and its planner agrees with the naive computation
(the script exits when they disagree). No timings are asserted."""

from __future__ import annotations

import json
from pathlib import Path

from bench import bench_escalation


def test_the_benchmark_runs_small_and_writes_its_json(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    assert bench_escalation.main(["--hazards", "3000", "--runs", "3", "--postgres", "none", "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["notes"]["sqlite hazards"] == 3000
    assert result["notes"]["sqlite messages due (the naive design finds the same)"] > 0
    assert "postgresql" in result["notes"]  # says it was skipped
    assert len(result["stats"]["sqlite escalation scan"]["samples"]) == 3
    assert {r["label"] for r in result["ratios"]} == {"sqlite scan / full-table read", "sqlite naive / scan"}
