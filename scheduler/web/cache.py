"""Caches for pages and feeds, keyed on the data versions they are built from.

The ``web_version`` table (migration 0015) holds a change counter per area, bumped by triggers
on every write to the area's tables, whoever writes (this process, the CLI, the scheduler,
another replica). A cached value's key includes the counters read in the request's own
transaction, so a change is visible on the very next request; nothing is ever served stale.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

T = TypeVar("T")
KEY = "safeduty.cache"
SIZE = 256  # entries: a page per filter combination and a feed per person stay well inside it

_VERSIONS = text("SELECT area, counter FROM web_version")


def versions(session: Session) -> dict[str, int]:
    """Every area's change counter, read in ``session``'s transaction (one small query)."""
    return {area: counter for area, counter in session.execute(_VERSIONS)}


class Cache:
    """A small thread-safe LRU map (waitress serves from several threads)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]  # type: ignore[return-value]
        value = build()  # outside the lock: two threads may build the same value once each
        with self._lock:
            self.misses += 1
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def etag(body: bytes) -> str:
    """An entity tag for ``body`` (unquoted, as werkzeug's ``set_etag`` takes it)."""
    return hashlib.sha256(body).hexdigest()[:32]
