"""What each page shows, with the example data on 2026-03-10 (a Tuesday) at 10:00."""

from __future__ import annotations

import re

from flask import Flask

from scheduler.app import App
from tests.web.helpers import client_as


def test_the_board_shows_todays_team_with_tap_to_call_the_next_shift_and_the_week(flask_app: Flask) -> None:
    html = client_as(flask_app, "viewer").get("/").text
    assert "今日值班" in html and "2026年3月10日 周二" in html
    assert re.search(r'href="tel:138\d{8}"', html)
    assert "下一班" in html and "2026年3月11日 周三 08:30 接班" in html
    assert html.count("<tr class=") == 7  # the next 7 days
    assert '<meta http-equiv="refresh" content="300">' in html
    assert "逾期重大隐患" in html and 'href="/hazards?overdue=1&amp;level=major"' in html


def test_the_board_marks_draft_days_and_says_when_there_is_no_roster(flask_app: Flask, web_app: App, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.support.clock import local

    clock.set(local(2026, 3, 25, 9, 0))  # 21–31 March are generated, not published
    html = client_as(flask_app, "viewer").get("/").text
    assert "值班表草稿，尚未发布" in html and "草稿" in html
    clock.set(local(2026, 5, 4, 9, 0))
    html = client_as(flask_app, "viewer").get("/").text
    assert "今天尚未排班" in html and "（未排）" in html


def test_before_the_handover_the_board_still_shows_yesterdays_team(flask_app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.support.clock import local

    clock.set(local(2026, 3, 11, 8, 0))
    assert "2026年3月10日 周二" in client_as(flask_app, "viewer").get("/").text


def test_the_month_grid_marks_draft_and_published_days_and_links_people(flask_app: Flask) -> None:
    html = client_as(flask_app, "viewer").get("/roster?month=2026-03").text
    assert "值班表 <small>2026年3月</small>" in html
    assert "已发布 <strong>20</strong> 天，草稿（未发布）<strong>11</strong> 天" in html
    assert html.count('class="tag draft"') == 11
    assert 'href="/roster/person/S004"' in html
    assert html.count('role="cell"') == 31


def test_the_month_grid_shows_holidays_and_adjusted_working_days(flask_app: Flask) -> None:
    html = client_as(flask_app, "viewer").get("/roster?month=2026-02").text
    assert "day holiday" in html and "春节" in html
    assert "workday-adjusted" in html and "调休上班" in html  # 2026-02-14 and 02-28 are working Saturdays


def test_bad_dates_in_query_strings_are_a_chinese_400_naming_the_parameter(flask_app: Flask) -> None:
    client = client_as(flask_app, "viewer")
    for path, name in (("/roster?month=2026-13", "month"), ("/roster?month=March", "month"),
                       ("/roster/fairness?year=20x6", "year"), ("/calendar?year=1066", "year"),
                       ("/hazards?level=huge", "level"), ("/hazards?page=-1", "page")):
        response = client.get(path)
        assert response.status_code == 400, path
        assert f"参数「{name}」" in response.text and "Traceback" not in response.text


def test_a_persons_page_shows_their_duties_and_weighted_load(flask_app: Flask) -> None:
    html = client_as(flask_app, "viewer").get("/roster/person/S004").text
    assert "高峰" in html and "加权负荷" in html and "同岗位平均" in html
    assert "今后的值班" in html and "带班领导" in html
    assert "生成新的订阅地址" not in html  # viewer: not their own, not an admin
    assert client_as(flask_app, "viewer").get("/roster/person/S999").status_code == 404


def test_the_fairness_chart_is_server_side_svg_per_role(flask_app: Flask) -> None:
    html = client_as(flask_app, "viewer").get("/roster/fairness?year=2026").text
    assert html.count("<svg") == 2 and "<script" not in html
    assert "带班领导" in html and "值班员" in html and html.count("<rect") == 11  # 4 leaders + 7 officers
    assert "style=" not in html


def test_the_register_lists_overdue_major_hazards_first_with_lateness_step_and_five_items(flask_app: Flask) -> None:
    html = client_as(flask_app, "viewer").get("/hazards").text
    codes = re.findall(r'href="/hazards/(HZ-[\d-]+)"', html)
    # The two overdue major hazards first, longest overdue first (deadlines 02-12 and 03-06).
    assert codes[:2] == ["HZ-2026-0002", "HZ-2026-0001"]
    assert "逾期4天（2个工作日）" in html
    assert "督办进度" in html and "第4步 到期当日" in html
    assert "五到位" in html and ("齐全" in html or "缺" in html)


def test_the_register_filters_by_level_status_enterprise_region_and_supervisor(flask_app: Flask) -> None:
    client = client_as(flask_app, "viewer")
    major = re.findall(r'href="/hazards/(HZ-[\d-]+)"', client.get("/hazards?level=major").text)
    everything = re.findall(r'href="/hazards/(HZ-[\d-]+)"', client.get("/hazards").text)
    assert 0 < len(major) < len(everything)
    overdue = client.get("/hazards?overdue=1").text
    assert "HZ-2026-0001" in overdue and "已逾期" in overdue
    assert "没有符合条件的隐患" in client.get("/hazards?enterprise=没有这家企业").text
    assert "HZ-2026-0001" in client.get("/hazards?enterprise=91140100EX0000001A").text
    assert client.get("/hazards?supervisor=S010").status_code == 200  # 邓超: scenic areas and travel agencies
    assert "HZ-2026-0001" in client.get("/hazards?supervisor=S010").text
    assert "HZ-2026-0001" not in client.get("/hazards?supervisor=S008").text


def test_a_hazards_page_shows_its_fields_history_and_messages(flask_app: Flask, web_app: App) -> None:
    web_app.service.run_once()
    html = client_as(flask_app, "viewer").get("/hazards/HZ-2026-0001").text
    assert "玻璃栈道部分钢化玻璃出现裂纹" in html and "变更记录" in html and "登记" in html
    assert "逾期4天（2个工作日）" in html
    assert "相关消息" in html
    assert client_as(flask_app, "viewer").get("/hazards/HZ-0000").status_code == 404


def test_upcoming_messages_come_from_the_planners_with_bodies_viewable(flask_app: Flask) -> None:
    client = client_as(flask_app, "viewer")
    html = client.get("/outbox/upcoming").text
    assert "待发消息" in html and "值班" in html and "!!" not in html  # subjects, rendered
    key = re.search(r'href="/outbox/upcoming\?show=([^"]+)"', html)[1]  # type: ignore[index]
    body = client.get(f"/outbox/upcoming?show={key}")
    assert body.status_code == 200 and '<pre class="body">' in body.text
    assert client.get("/outbox/upcoming?show=no:such:key").status_code == 404


def test_the_delivery_page_counts_per_channel_and_status_and_shows_targets(flask_app: Flask, web_app: App) -> None:
    web_app.service.run_once()
    client = client_as(flask_app, "viewer")
    html = client.get("/outbox").text
    assert "投递情况" in html and "console" in html and "已发送" in html and "渠道状态" in html
    first = re.search(r'href="/outbox/message/(\d+)"', html)
    if first:
        assert client.get(f"/outbox/message/{first[1]}").status_code == 200


def test_the_calendar_shows_holidays_adjusted_days_key_periods_and_the_year_guard(flask_app: Flask) -> None:
    html = client_as(flask_app, "viewer").get("/calendar?year=2026").text
    assert "春节" in html and "调休上班" in html and "重点时段" in html
    assert "已公布" in html
    assert "2月14日" in html  # a 调休 Saturday


def test_staff_and_enterprises_lists_show_contacts_to_signed_in_accounts_only(flask_app: Flask) -> None:
    client = client_as(flask_app, "viewer")
    staff = client.get("/staff").text
    assert "郭志刚" in staff and "13800000001" in staff and "值班组" in staff
    enterprises = client.get("/enterprises").text
    assert "A级旅游景区" in enterprises and 'href="tel:' in enterprises
    anonymous = flask_app.test_client()
    for path in ("/staff", "/enterprises", "/roster", "/hazards"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "138" not in response.text
