"""The escalation benchmark stays runnable and its planner agrees with the naive computation
(the script exits when they disagree). No timings are asserted."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from tests.support.project import ROOT


def test_the_benchmark_runs_small_and_writes_its_json(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "bench_escalation", ROOT / "bench" / "bench_escalation.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "result.json"
    assert (
        bench.main(["--hazards", "3000", "--runs", "3", "--postgres", "none", "--json", str(out)])
        == 0
    )
    [result] = json.loads(out.read_text())["results"]
    assert result["backend"] == "sqlite" and result["hazards"] == 3000
    assert result["messages"] > 0 and result["planner_s"]["runs"] == 3
