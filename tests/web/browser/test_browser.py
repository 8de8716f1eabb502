"""Sign in, read the board with its Chinese names, open the month, a hazard, sign out — in a
real Chromium. With SAFEDUTY_SCREENSHOTS=FOLDER, every page is also saved at 375 and 1280 px."""

from __future__ import annotations

import os
from pathlib import Path

from tests.web.helpers import ACCOUNTS, PASSWORD

PAGES = {
    "board": "/",
    "roster-month": "/roster?month=2026-03",
    "person": "/roster/person/S004",
    "fairness": "/roster/fairness?year=2026",
    "hazards": "/hazards",
    "hazard": "/hazards/HZ-2026-0001",
    "upcoming": "/outbox/upcoming",
    "delivery": "/outbox",
    "calendar": "/calendar?year=2026",
    "staff": "/staff",
    "enterprises": "/enterprises",
    "accounts": "/admin/accounts",
    "warnings": "/warnings",
    "warning-add": "/warnings/add",
}


def sign_in(page, live: str, code: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live}/")
    assert page.url.startswith(f"{live}/login")
    page.fill("#code", code)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live}/")


def test_sign_in_read_the_board_open_the_month_and_a_hazard_then_sign_out(page, live: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live, ACCOUNTS["viewer"][0])
    assert page.inner_text("h1").startswith("今日值班")
    leader = page.inner_text(".duty .seat:first-child .name")
    assert leader == "高峰"
    assert page.get_attribute(".duty .tel", "href").startswith("tel:138")
    # The names are drawn in a CJK font, not as boxes: 高峰 is as wide as two Chinese glyphs.
    width = page.evaluate("() => document.querySelector('.duty .name').getBoundingClientRect().width")
    assert width > 30
    page.click("nav >> text=值班表")
    assert "值班表" in page.inner_text("h1")
    assert page.locator(".month .day").count() >= 28
    page.goto(f"{live}/hazards")
    page.click("a[href='/hazards/HZ-2026-0001']")
    assert "玻璃栈道" in page.inner_text("h1")
    assert page.locator("text=变更记录").count() == 1
    page.click("button:has-text('退出')")
    page.wait_for_url(f"{live}/login")
    page.goto(f"{live}/roster")
    assert page.url.startswith(f"{live}/login")


def test_a_wrong_password_is_told_in_chinese(page, live: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live}/login")
    page.fill("#code", ACCOUNTS["viewer"][0])
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert "工号或密码不正确" in page.inner_text(".alert")


def test_the_wall_screen_shows_the_board_by_token_and_refreshes_itself(page, live: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live}/?token=board-token-for-tests-0123456789&wall=1")
    assert page.inner_text("h1").startswith("今日值班")
    assert page.locator("meta[http-equiv=refresh]").get_attribute("content") == "300"
    assert page.locator("nav.nav a").count() == 0  # nothing to click on a wall


def test_pages_read_at_375_and_1280_pixels_without_sideways_scrolling(browser, live: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("SAFEDUTY_SCREENSHOTS")
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN",
                                      device_scale_factor=1)
        page = context.new_page()
        sign_in(page, live, ACCOUNTS["admin"][0])
        for name, path in PAGES.items():
            response = page.goto(f"{live}{path}")
            assert response is not None and response.status == 200, path
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} at {width}px is {overflow}px too wide"
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
                page.screenshot(path=f"{folder}/{name}-{width}-top.png")  # the first screenful
        context.close()
