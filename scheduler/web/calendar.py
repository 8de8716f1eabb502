"""日历: a year's holiday periods, 调休 working days, key periods and the year guard's state."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from scheduler.accounts.roles import WebRole
from scheduler.planners.key_periods import occurrences
from scheduler.planners.year_guard import missing_years
from scheduler.web import params
from scheduler.web.access import allow
from scheduler.web.overview import PeriodInForce

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


@bp.get("")
@allow(WebRole.VIEWER)
def year() -> str:
    web = current_app.extensions["safeduty"]
    config = web.config
    today = web.clock.now().astimezone(config.service.zone).date()
    year = params.year("year", today.year)
    calendar = web.calendar
    first, last = today.replace(year=year, month=1, day=1), today.replace(year=year, month=12, day=31)
    key_periods = sorted(
        (PeriodInForce(p.name, o.start, o.end, "key"), p.source, p.confirmed)
        for p in config.key_periods.periods.values() if p.enabled
        for o in occurrences(calendar, p, first, last))
    roster_periods = [(k.name, k.start.date(year), k.end.date(year), k.leader, k.officer)
                      for k in config.roster.key_periods]
    if str(year) in config.calendar.years:
        source = "已在配置中录入国务院办公厅的节假日安排"
    elif calendar.is_official(year):
        source = "已公布（holidays 库）"
    else:
        source = f"仅为估计：holidays 库尚无该年的官方安排，请在配置 [calendar.years.{year}] 中录入"
    missing = missing_years(calendar, today, config.calendar.guard)
    return render_template("web/calendar/year.html.j2", year=year, periods=calendar.holiday_periods(year),
                           workdays=calendar.adjusted_workdays(year), key_periods=key_periods,
                           roster_periods=roster_periods, source=source, official=calendar.is_official(year),
                           missing=missing, guard=config.calendar.guard)
