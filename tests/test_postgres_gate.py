"""The PostgreSQL gate of the suite: a test that needs the server is marked, and an unreachable
server is a skip with its reason here but a failure under CI=true (issue 17 §6: with the server
down the run went green with 12 skipped and no reason printed).

Each case runs a one-test suite in-process (pytester) with this project's ``pg_url`` fixture.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.support import postgres

NOBODY = "postgresql://postgres@127.0.0.1:1/postgres"  # nothing listens on port 1: refused at once

USES_PG = """
import pytest

@pytest.mark.postgres
def test_needs_it(pg_url):
    assert pg_url
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest("from tests.conftest import pg_url  # noqa: F401\n")
    pytester.makeini("[pytest]\nmarkers =\n    postgres: needs PostgreSQL\n")
    return pytester


def run(suite: pytest.Pytester, source: str) -> pytest.RunResult:
    suite.makepyfile(test_one=source)
    return suite.runpytest_inprocess("-rs", "-p", "no:randomly", "-p", "no:cacheprovider")


def test_under_ci_an_unreachable_server_fails_the_run_naming_it(
        suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "ADMIN_URL", NOBODY)
    monkeypatch.setenv("CI", "true")
    result = run(suite, USES_PG)
    result.assert_outcomes(errors=1)  # in the fixture's set-up
    result.stdout.fnmatch_lines([f"*PostgreSQL at {NOBODY} is unreachable and CI requires it (CI=true)*"])
    assert result.ret != 0


def test_outside_ci_an_unreachable_server_skips_saying_why(
        suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "ADMIN_URL", NOBODY)
    monkeypatch.delenv("CI", raising=False)
    result = run(suite, USES_PG)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED *PostgreSQL not reachable at {NOBODY}*"])
    assert result.ret == 0


def test_a_test_using_pg_url_without_the_marker_is_refused(suite: pytest.Pytester,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "ADMIN_URL", NOBODY)  # refused before the server is even asked
    monkeypatch.delenv("CI", raising=False)
    result = run(suite, USES_PG.replace("@pytest.mark.postgres\n", ""))
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_needs_it uses PostgreSQL but is not marked @pytest.mark.postgres*"])


def test_the_suite_prints_skip_reasons_and_knows_the_marker() -> None:
    options = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_options = options["tool"]["pytest"]["ini_options"]
    assert "-rs" in pytest_options["addopts"].split()
    assert any(marker.startswith("postgres:") for marker in pytest_options["markers"])
