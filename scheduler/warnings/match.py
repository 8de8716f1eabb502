"""A warning's area → the enterprises inside it.

A warning names its area by 行政区划 codes (6 digits: province ``140000``, city ``140100``, county
``140105``; 12 digits down to township/village) and by ``areaDesc`` (``太原市``). An enterprise's
region is a code or a name. A code is cut to the level it names (``140000`` → ``14``, ``140100``
→ ``1401``, ``140105001000`` → ``140105001``) and an enterprise is inside when its region starts
with it. When the warning is finer than what the enterprise file knows (a township warning, a
county-only region), the enterprise is included: a warning reaching one venue too many costs a
message, one too few may cost lives. ``areaDesc`` is used when a version carries no codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scheduler.people.models import Enterprise
from scheduler.warnings.model import Warning
from scheduler.warnings.rules import Audiences

# Shanxi's province and cities, so ``areaDesc`` and regions written as names resolve to codes.
PLACE_CODES: dict[str, str] = {
    "山西": "140000", "太原": "140100", "大同": "140200", "阳泉": "140300", "长治": "140400",
    "晋城": "140500", "朔州": "140600", "晋中": "140700", "运城": "140800", "忻州": "140900",
    "临汾": "141000", "吕梁": "141100",
}
_SUFFIXES = ("省", "市", "地区", "县", "区")
_DIGITS = re.compile(r"^\d{6}(\d{6})?$")
_SPLIT = re.compile(r"[、,，;；\s]+")


def prefix(code: str) -> str:
    """The part of a 行政区划 code that names a place (trailing zero levels cut)."""
    code = code.strip()
    if not _DIGITS.match(code):
        raise ValueError(f"{code!r} is not a 6- or 12-digit 行政区划 code")
    if len(code) == 12:
        if code[6:] == "000000":
            code = code[:6]
        else:
            tail = code[6:].rstrip("0")
            # township (3 digits) then village (3 digits)
            return code[:9] if len(tail) <= 3 else code
    if code[2:] == "0000":
        return code[:2]
    if code[4:] == "00":
        return code[:4]
    return code


def place_code(name: str) -> str | None:
    """``太原市`` / ``太原`` → ``140100``; None for a name not in the table."""
    text = name.strip()
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return PLACE_CODES.get(text)


def warning_prefixes(warning: Warning) -> tuple[str, ...]:
    codes = [c for c in warning.geocodes if c.strip()]
    if not codes:
        codes = [c for part in _SPLIT.split(warning.area_desc) if part and (c := place_code(part))]
    return tuple(sorted({prefix(c) for c in codes}))


def region_prefix(enterprise: Enterprise) -> str | None:
    region = enterprise.region.strip()
    if not region:
        return None
    if _DIGITS.match(region):
        return prefix(region)
    code = place_code(region)
    return prefix(code) if code else None


def inside(region: str | None, prefixes: Iterable[str]) -> bool:
    if region is None:
        return False
    return any(region.startswith(p) or (len(p) > 6 and p.startswith(region) and len(region) >= 6)
               for p in prefixes)


@dataclass(frozen=True)
class Match:
    enterprise: Enterprise
    features: tuple[str, ...]  # the venue features the rules name that this venue has (shown first)


def enterprises(warning: Warning, audience: Audiences, candidates: Sequence[Enterprise]) -> list[Match]:
    """The enterprises inside the warning's area that the rules reach, by code."""
    if not audience.enterprises:
        return []
    prefixes = warning_prefixes(warning)
    found = []
    for enterprise in candidates:
        if not inside(region_prefix(enterprise), prefixes):
            continue
        features = tuple(f for f in enterprise.features if f in audience.features)
        if enterprise.category in audience.categories or features:
            found.append(Match(enterprise, features))
    return found


def unplaced(candidates: Sequence[Enterprise]) -> list[Enterprise]:
    """Enterprises whose region says nothing a warning could match (reported to the admins)."""
    return [e for e in candidates if region_prefix(e) is None]
