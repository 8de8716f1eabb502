"""What the messages of one notice share, stored once (the ``notice`` table).

A pre-holiday step or a key-period reminder goes to every enterprise's contacts with the same
holiday, step, deadline and measures; only the enterprise differs. Planning a chunk of messages,
the top-level context keys whose value is the same for every message of a kind in the chunk
are the notice's part, stored once and found again by a digest; each row keeps the rest. The
template context is the notice's part with the row's own on top (``OutboxMessage.context``),
so any split gives back exactly what was planned. A kind with a single message in the chunk,
or with nothing in common, keeps its whole context in the row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, column, select, table
from sqlalchemy.dialects import postgresql, sqlite

_MISSING = object()
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
# The notice table untyped, like rows.TABLE: the driver gets the JSON text as it is.
TABLE = table("notice", column("id"), column("digest"), column("kind"), column("context"))


def split(contexts: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(what every context shares, what each has of its own); nothing is shared by one context alone."""
    if len(contexts) < 2:
        return {}, [dict(c) for c in contexts]
    first, rest = contexts[0], contexts[1:]
    shared = {k: v for k, v in first.items()
              if all((w := c.get(k, _MISSING)) is v or w == v for c in rest)}
    if not shared:
        return {}, [dict(c) for c in contexts]
    return shared, [{k: v for k, v in c.items() if k not in shared} for c in contexts]


def digest(kind: str, shared_json: str) -> str:
    return hashlib.sha256(f"{kind}\n{shared_json}".encode()).hexdigest()[:32]


class Notices:
    """Notice ids by digest for one connection, inserting the new ones (``ON CONFLICT DO NOTHING``:
    two replicas planning the same notice store it once); remembered for the whole enqueue."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.ids: dict[str, int] = {}
        make_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        self._insert = make_insert(TABLE).on_conflict_do_nothing(index_elements=["digest"])

    def resolve(self, wanted: Mapping[str, tuple[str, str]]) -> None:
        """Make sure every digest of ``wanted`` (digest → (kind, shared JSON)) has an id."""
        missing = [d for d in wanted if d not in self.ids]
        if not missing:
            return
        self._fetch(missing)
        new = [{"digest": d, "kind": wanted[d][0], "context": wanted[d][1]} for d in missing if d not in self.ids]
        if new:
            self.connection.execute(self._insert, new)
            self._fetch([row["digest"] for row in new])

    def _fetch(self, digests: list[str]) -> None:
        query = select(TABLE.c.id, TABLE.c.digest).where(TABLE.c.digest.in_(digests))
        self.ids.update({d: i for i, d in self.connection.execute(query)})


def shared_parts(kinds: Sequence[str], contexts: Sequence[Mapping[str, Any]]
                 ) -> tuple[dict[str, tuple[str, str]], list[tuple[str | None, dict[str, Any]]]]:
    """For messages of ``kinds`` with ``contexts`` (in order): the notices they share (digest →
    (kind, shared JSON)) and, per message, (its notice's digest or None, its own context)."""
    by_kind: dict[str, list[int]] = {}
    for i, kind in enumerate(kinds):
        by_kind.setdefault(kind, []).append(i)
    notices: dict[str, tuple[str, str]] = {}
    parts: list[tuple[str | None, dict[str, Any]]] = [(None, {})] * len(kinds)
    for kind, members in by_kind.items():
        shared, owns = split([contexts[i] for i in members])
        key = None
        if shared:
            text = _dumps(shared)
            key = digest(kind, text)
            notices[key] = (kind, text)
        for i, own in zip(members, owns, strict=True):
            parts[i] = (key, own)
    return notices, parts
