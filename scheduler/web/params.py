"""Query-string values, checked: a bad one is a 400 page naming it, never a traceback."""

from __future__ import annotations

import datetime as dt
import re

from flask import request
from werkzeug.exceptions import BadRequest


def _bad(name: str, value: str, example: str) -> BadRequest:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return BadRequest(f"参数「{name}」的值「{shown}」无法识别，应写作 {example}。")


def month(name: str, default: dt.date) -> dt.date:
    """"2026-03" → 2026-03-01."""
    value = request.args.get(name, "").strip()
    if not value:
        return default.replace(day=1)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
    if not match or not 1950 <= int(match[1]) <= 2099 or not 1 <= int(match[2]) <= 12:
        raise _bad(name, value, "2026-03")
    return dt.date(int(match[1]), int(match[2]), 1)


def year(name: str, default: int) -> int:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    if not re.fullmatch(r"\d{4}", value) or not 1950 <= int(value) <= 2099:
        raise _bad(name, value, "2026")
    return int(value)


def date(name: str, default: dt.date | None = None) -> dt.date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _bad(name, value, "2026-03-05") from None


def page(name: str = "page") -> int:
    value = request.args.get(name, "").strip()
    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= 100_000:
        raise _bad(name, value, "一个正整数，如 2")
    return int(value)


def choice(name: str, options: dict[str, str] | list[str]) -> str:
    value = request.args.get(name, "").strip()
    if value and value not in options:
        raise _bad(name, value, "、".join(list(options)[:8]) or "空")
    return value


def text(name: str, limit: int = 100) -> str:
    value = request.args.get(name, "").strip()
    if len(value) > limit:
        raise _bad(name, value, f"不超过{limit}个字符的文字")
    return value


def flag(name: str) -> bool:
    return request.args.get(name, "") in ("1", "true", "on", "yes")
