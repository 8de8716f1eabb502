"""A red/orange 暴雨/山洪 warning in force puts its area's venues on the daily 零报告."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.app import App
from scheduler.planners import warnings as relay
from tests.receipts.helpers import plan_until, rows
from tests.rosters.conftest import generate
from tests.support.clock import local
from tests.warnings.factory import warning
from tests.warnings.test_relay_planner import ListStore


@pytest.fixture
def store(shipped: App, monkeypatch: pytest.MonkeyPatch) -> ListStore:
    found = ListStore()
    monkeypatch.setattr(relay, "_store", lambda: found)
    shipped.clock.set(local(2026, 6, 1, 8, 0))  # type: ignore[attr-defined]
    return found

DAY = dt.date(2026, 6, 10)  # an ordinary Wednesday: no holiday, before 主汛期


def _requested(app: App, day: dt.date = DAY) -> set[str]:
    generate(app, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    plan_until(app, local(day.year, day.month, day.day, 9, 5))
    return {m.context["receipt"]["party"] for m in rows(app, "zero_report/request", f"zero:{day.isoformat()}:")}


def _in_force(**changes) -> object:
    start = local(2026, 6, 10, 7, 0)
    return warning(onset=start, received_at=start, expires=start + dt.timedelta(hours=20), **changes)


def test_red_rainstorm_in_force_puts_the_city_on_zero_reports(shipped: App, store: ListStore) -> None:
    store.versions.append(_in_force())
    parties = _requested(shipped)
    venues = {p for p in parties if p.startswith("enterprise:")}
    assert venues == {"enterprise:91140100EX0000001A", "enterprise:91140100EX0000003C",
                      "enterprise:91140100EX0000005E", "enterprise:91140100EX0000006F",
                      "enterprise:12140000EX0000008H"}
    request = next(m for m in rows(shipped, "zero_report/request") if "91140100EX0000001A" in m.recipient_key)
    assert "暴雨红色预警（太原市）" in request.context["reason"]


def test_yellow_or_heat_warnings_ask_for_nothing(shipped: App, store: ListStore) -> None:
    store.versions.extend([_in_force(level="黄"), _in_force(thread="t2", identifier="t2", event="高温")])
    assert _requested(shipped) == set()


def test_no_warning_no_zero_report_on_an_ordinary_day(shipped: App, store: ListStore) -> None:
    assert _requested(shipped) == set()
