from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask

from scheduler.app import App
from scheduler.config.warnings import WarningsConfig
from scheduler.warnings import intake
from tests.web.conftest import clock, flask_app, web_app, web_project  # noqa: F401
from tests.web.helpers import client_as

SAMPLES = Path(__file__).parent / "samples"


def _take(app: App, name: str, now: dt.datetime) -> int:
    with app.sessions() as s:
        [w] = intake.take(s, (SAMPLES / name).read_bytes(), file=name, source=f"inbox:{name}",
                          config=WarningsConfig(), now=now)
        s.commit()
        return w.id


def test_list_in_force_first_and_detail(web_app: App, flask_app: Flask) -> None:  # noqa: F811
    now = web_app.clock.now()
    _take(web_app, "red_rainstorm.xml", now - dt.timedelta(hours=2))
    _take(web_app, "update_yellow.xml", now - dt.timedelta(hours=1))
    red = _take(web_app, "cancel.xml", now)  # the thread is cancelled: listed below, not in force
    geo = _take(web_app, "cma_form_orange_geo.xml", now)
    test = _take(web_app, "test_orange_wind.xml", now)
    client = client_as(flask_app, "viewer")
    page = client.get("/warnings")
    assert page.status_code == 200
    live, rest = page.text.split("已解除、已过期及测试")
    assert f"/warnings/{geo}" in live and f"/warnings/{red}" not in live
    assert f"/warnings/{red}" in rest and f"/warnings/{test}" in rest and "测试（不发送）" in rest
    detail = client.get(f"/warnings/{geo}")
    assert detail.status_code == 200
    assert "地质灾害" in detail.text and "五台县" in detail.text
    assert "&lt;identifier&gt;14000041600000_20260807165704&lt;/identifier&gt;" in detail.text  # escaped original
    assert client.get("/warnings/9999").status_code == 404
