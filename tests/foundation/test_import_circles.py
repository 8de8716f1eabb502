"""The import graph has no circle between config's schema and validate (through the section
modules) or between scheduler.checks and the areas' check modules (issue 17 §5).

Every import counts, including those under ``if TYPE_CHECKING:`` and inside functions: a circle
hidden in a function is still one a reader has to untangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import scheduler

ROOT = Path(scheduler.__file__).parent


def _module_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    modules = {_module_of(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def test_config_schema_does_not_reach_validate() -> None:
    graph = import_graph()
    assert reaches(graph, "scheduler.config.validate", "scheduler.config.schema")
    assert not reaches(graph, "scheduler.config.schema", "scheduler.config.validate")


def test_the_area_checks_do_not_reach_scheduler_checks() -> None:
    graph = import_graph()
    assert reaches(graph, "scheduler.checks", "scheduler.hazards.checks")
    assert not reaches(graph, "scheduler.hazards.checks", "scheduler.checks")
    assert not reaches(graph, "scheduler.people.checks", "scheduler.checks")


def test_an_import_inside_a_function_under_type_checking_is_an_edge(tmp_path: Path) -> None:
    """The finder sees the shape the circles had: imports deferred into functions and
    TYPE_CHECKING blocks."""
    package = tmp_path / "scheduler"
    (package / "config").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "config" / "__init__.py").write_text("")
    (package / "config" / "schema.py").write_text("from scheduler.config.roster import R\n")
    (package / "config" / "validate.py").write_text("from scheduler.config.schema import C\n")
    (package / "config" / "roster.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from scheduler.config.validate import Ref\n"
        "def f():\n    from scheduler.config.validate import Ref\n")
    assert reaches(import_graph(package), "scheduler.config.schema", "scheduler.config.validate")
