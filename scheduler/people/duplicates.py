"""Probable duplicates among staff: two 工号 with the same mobile or e-mail are, most often, one
person imported twice (a new 工号 after a transfer, a typo). The import keeps both — the file
says so — but says what it found, so the clerk can fix the file before `--person 姓名` finds two."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol


class Person(Protocol):
    code: str
    name: str
    mobile: str
    email: str


def probable_duplicates(people: Iterable[Person]) -> list[str]:
    """One warning per pair of 工号 sharing a mobile or an e-mail address."""
    seen: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for person in people:
        for what, value in (("mobile", person.mobile), ("e-mail", person.email.lower())):
            if value:
                seen[what, value].append(person)
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (what, value), holders in seen.items():
        for other in holders[1:]:
            pairs[holders[0].code, other.code].append(f"{what} {value}")
    by_code = {p.code: p for holders in seen.values() for p in holders}
    return [f"staff: {a} {by_code[a].name} and {b} {by_code[b].name} have the same {' and '.join(what)}: "
            f"the same person twice? (commands take the 工号 where a name is ambiguous)"
            for (a, b), what in sorted(pairs.items())]
