"""The weighted ledger: what each person has carried this year, and when they last served.

Each duty adds its day's weight (workday 1, weekend 1.5, holiday 3, 除夕… 5) to the holder's
balance for that calendar year, so months balance each other out and the year evens up.
Rotation is by duty actually served: whoever has carried least goes next, and among equals
whoever served longest ago — never "whoever's turn it is by the calendar", which is how a
rotation skips people on leave for good (GoAlert #55).

One correction keeps the balance humane: someone far behind their pool (a newcomer, a long
sick leave) is credited up to ``catch_up_limit`` below the pool's median at the start of each
duty day, so they repay at most that much instead of being on duty every other day for months.
Applying it day by day, the same way when replaying history and when generating, makes the
result independent of how the year was cut into generation runs.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from rosters.model import DutyDay

Credit = tuple[int, str, float]  # (year, code, amount)


class Ledger:
    def __init__(self, catch_up_limit: float) -> None:
        self.catch_up_limit = catch_up_limit
        self._load: dict[tuple[int, str], float] = defaultdict(float)
        self._credit: dict[tuple[int, str], float] = defaultdict(float)
        self._served: dict[str, list[dt.date]] = defaultdict(list)
        self._month: Counter[tuple[str, int, int]] = Counter()
        self._kind: Counter[tuple[str, int, str]] = Counter()
        self._special: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._specials: Counter[tuple[str, int]] = Counter()  # heaviest days held, by (code, year)
        self._special_years: dict[str, list[int]] = defaultdict(list)  # a year per heaviest day held
        self._period: Counter[tuple[str, str]] = Counter()  # days held in one holiday period

    # Recording duties

    def add(self, day: DutyDay, code: str) -> None:
        self._load[day.date.year, code] += day.weight
        bisect.insort(self._served[code], day.date)
        self._month[code, day.date.year, day.date.month] += 1
        self._kind[code, day.date.year, day.kind.value] += 1
        if day.period:
            self._period[code, day.period] += 1
        if day.special:
            bisect.insort(self._special[day.special, code], day.date.year)
            self._specials[code, day.date.year] += 1
            bisect.insort(self._special_years[code], day.date.year)

    def remove(self, day: DutyDay, code: str) -> None:
        self._load[day.date.year, code] -= day.weight
        self._served[code].remove(day.date)
        self._month[code, day.date.year, day.date.month] -= 1
        self._kind[code, day.date.year, day.kind.value] -= 1
        if day.period:
            self._period[code, day.period] -= 1
        if day.special:
            self._special[day.special, code].remove(day.date.year)
            self._specials[code, day.date.year] -= 1
            self._special_years[code].remove(day.date.year)

    def note_special(self, name: str, year: int, code: str) -> None:
        """History from earlier years: who held a heaviest day (only its rotation matters)."""
        bisect.insort(self._special[name, code], year)
        bisect.insort(self._special_years[code], year)

    # The catch-up correction

    def forgive(self, year: int, pool: Sequence[str]) -> list[Credit]:
        """Credit whoever in ``pool`` is more than ``catch_up_limit`` below the pool's median."""
        if len(pool) < 2:
            return []
        balances = sorted(self.balance(year, code) for code in pool)
        middle = len(balances) // 2
        median = balances[middle] if len(balances) % 2 else (balances[middle - 1] + balances[middle]) / 2
        floor = median - self.catch_up_limit
        credits = []
        for code in pool:
            short = floor - self.balance(year, code)
            if short > 1e-9:
                self._credit[year, code] += short
                credits.append((year, code, short))
        return credits

    def undo(self, credits: Iterable[Credit]) -> None:
        for year, code, amount in credits:
            self._credit[year, code] -= amount

    # Questions the generator and the rules ask

    def load(self, year: int, code: str) -> float:
        """Weighted load actually served in ``year``."""
        return self._load.get((year, code), 0.0)

    def credit(self, year: int, code: str) -> float:
        return self._credit.get((year, code), 0.0)

    def balance(self, year: int, code: str) -> float:
        """What ranks people: load served plus any catch-up credit."""
        return self.load(year, code) + self.credit(year, code)

    def last_served_before(self, code: str, day: dt.date) -> dt.date | None:
        dates = self._served.get(code, [])
        index = bisect.bisect_left(dates, day)
        return dates[index - 1] if index else None

    def first_served_after(self, code: str, day: dt.date) -> dt.date | None:
        dates = self._served.get(code, [])
        index = bisect.bisect_right(dates, day)
        return dates[index] if index < len(dates) else None

    def serves_on(self, code: str, day: dt.date) -> bool:
        dates = self._served.get(code, [])
        index = bisect.bisect_left(dates, day)
        return index < len(dates) and dates[index] == day

    def month_count(self, code: str, day: dt.date) -> int:
        return self._month.get((code, day.year, day.month), 0)

    def kind_count(self, code: str, day: DutyDay) -> int:
        """Duties this year on the same kind of day (workday, weekend, holiday) as ``day``."""
        return self._kind.get((code, day.date.year, day.kind.value), 0)

    def period_count(self, code: str, day: DutyDay) -> int:
        """Days ``code`` holds in the holiday period ``day`` belongs to (0 outside one)."""
        return self._period.get((code, day.period), 0) if day.period else 0

    def specials(self, code: str, year: int) -> int:
        """How many of ``year``'s heaviest days (any of them) ``code`` holds."""
        return self._specials.get((code, year), 0)

    def specials_before(self, code: str, year: int, years: int) -> int:
        """Heaviest days ``code`` held in the ``years`` years before ``year``."""
        held = self._special_years.get(code, [])
        return bisect.bisect_left(held, year) - bisect.bisect_left(held, year - years)

    def last_special_year(self, name: str, code: str, before: int) -> int | None:
        years = self._special.get((name, code), [])
        index = bisect.bisect_left(years, before)
        return years[index - 1] if index else None
