from __future__ import annotations

import datetime as dt
import re
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


def test_supervisor_adds_a_warning(web_app: App, flask_app: Flask) -> None:  # noqa: F811
    from tests.web.helpers import csrf_of

    assert client_as(flask_app, "viewer").get("/warnings/add").status_code == 403
    client = client_as(flask_app, "supervisor")
    page = client.get("/warnings")
    assert "录入预警" in page.text
    form = client.get("/warnings/add")
    token = csrf_of(form.text)
    data = {"csrf_token": token, "event": "山洪", "level": "橙", "area": "140922", "area_desc": "五台县",
            "onset": "2026-03-10T10:30", "expires": "2026-03-10T22:00", "text": "五台山景区及周边有山洪风险"}
    assert client.post("/warnings/add", data={**data, "csrf_token": "x"}).status_code == 400  # CSRF
    bad = client.post("/warnings/add", data={**data, "area": "14"})
    assert bad.status_code == 400 and "行政区划" in bad.text
    for field, value, said in (("event", "火山", "不是已知的预警类型"), ("level", "紫", "应为 红、橙、黄 或 蓝"),
                               ("expires", "2026-03-10T09:00", "截止时间应晚于生效时间"), ("text", " ", "请填写预警内容")):
        bad = client.post("/warnings/add", data={**data, field: value})
        assert bad.status_code == 400 and said in bad.text, field
        assert not re.search(r"must|empty|not a |known", bad.text), field  # said in Chinese, all of it
    done = client.post("/warnings/add", data=data)
    assert done.status_code == 302
    shown = client.get(done.headers["Location"])
    assert "山洪" in shown.text and "五台县" in shown.text and "hand:S008" in shown.text


def test_an_original_that_came_after_its_update_is_shown_as_such(web_app: App, flask_app: Flask) -> None:  # noqa: F811
    now = web_app.clock.now()
    upd = _take(web_app, "update_yellow.xml", now - dt.timedelta(hours=1))
    red = _take(web_app, "red_rainstorm.xml", now)
    client = client_as(flask_app, "viewer")
    listing = client.get("/warnings").text
    assert f"/warnings/{upd}" in listing and f"/warnings/{red}" not in listing  # the update is the thread's latest
    page = client.get(f"/warnings/{upd}").text
    assert "原预警（晚于更新收到）" in page and "第1版" in page
