"""The figures the reliability tests measure (kills survived, duplicates seen, faults injected,
cases tried), shown at the end of the run:

    .venv/bin/python -m pytest -m reliability -rA

and written as JSON to the file named by SAFEDUTY_RELIABILITY_FIGURES, if set.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

FIGURES = pytest.StashKey[dict[str, dict[str, Any]]]()


class Figures:
    def __init__(self, store: dict[str, dict[str, Any]], test: str) -> None:
        self.store = store
        self.test = test

    def record(self, **values: Any) -> None:
        self.store.setdefault(self.test, {}).update(values)
        print(f"{self.test}: " + ", ".join(f"{k}={v}" for k, v in values.items()))


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    store = request.config.stash.setdefault(FIGURES, {})
    return Figures(store, request.node.name)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    store = config.stash.get(FIGURES, {})
    if not store:
        return
    terminalreporter.section("reliability figures")
    for test, values in store.items():
        terminalreporter.write_line(f"{test}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
    path = os.environ.get("SAFEDUTY_RELIABILITY_FIGURES")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(store, fh, ensure_ascii=False, indent=2, default=str)
