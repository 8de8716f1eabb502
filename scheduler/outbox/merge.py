"""Fold a bot's backlog into digests when it is more than the bot may take soon.

DingTalk and WeCom take 20 messages a minute per robot (DingTalk blocks a robot for 10 minutes
beyond that) and both advise merging bursts into one summary. When more messages are due for a
bot than its budget allows within ``delivery.merge_horizon``, they are rendered, listed in as
few digests as the budget allows, and marked ``merged`` (naming their digest); the digests are
ordinary outbox messages of kind ``delivery/merged``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from scheduler.channels.base import DeliveryError, Rendered
from scheduler.db import table_of
from scheduler.outbox import store
from scheduler.outbox.models import WAITING, OutboxMessage, Status
from scheduler.outbox.planned import NORMAL, URGENT, Mention, PlannedMessage, Recipient, short_ref

MERGED_KIND = "delivery/merged"
MERGE_MAX = 1000  # rows folded per pass; the rest wait for the next one
EXCERPT_BYTES = 240
ITEM_OVERHEAD = 40  # markup around an item in the digest templates
DIGEST_OVERHEAD = 300  # title, header and the "另有 N 条" line
# Room for the list in one digest, under each bot's limit (WeCom: text, when people are @mentioned).
DIGEST_BYTES = {"dingtalk": 18000, "feishu": 18000, "wecom": 1900}
# A digest is claimed ahead of the unmerged backlog (it stands for the oldest of it, and for a
# hundred messages where any of the rest stands for one), behind warnings.
DIGEST_PRIORITY = NORMAL + 1

_MERGE = (
    update(table_of(OutboxMessage))
    .where(table_of(OutboxMessage).c.id == bindparam("_id"))
    .values(status=Status.MERGED, last_error=bindparam("_note"), subject=bindparam("_subject"),
            body_text=bindparam("_text"), body_html=bindparam("_html"), body_markdown=bindparam("_markdown"))
)


def merge_due(
    session: Session,
    channel: str,
    channel_type: str,
    now: dt.datetime,
    allowed: int,
    render: Callable[[OutboxMessage], Rendered],
) -> int:
    """Merge the due messages of ``channel`` into at most ``allowed`` digests (at least one);
    returns how many digests were enqueued. Digests already waiting count against ``allowed``,
    so a bot's digests never outnumber what it can take (issue 18 §2)."""
    waiting = session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.status.in_(WAITING),
               OutboxMessage.kind == MERGED_KIND)
    ) or 0
    allowed = max(1, allowed) - waiting  # at least one digest when none waits (a paused bot)
    if allowed < 1:
        return 0
    rows = list(session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.status.in_(WAITING),
               OutboxMessage.next_attempt_at <= now, OutboxMessage.kind != MERGED_KIND,
               OutboxMessage.priority < URGENT)  # a warning goes alone, ahead of any digest
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(MERGE_MAX)
        .with_for_update(skip_locked=True)
    ))
    items: list[tuple[OutboxMessage, Rendered]] = []
    for row in rows:
        session.expunge(row)  # rendering fills its body fields; they are written below, in one statement
        try:
            items.append((row, render(row)))
        except DeliveryError:
            continue  # a template that fails is left to the normal path, which records why
    if len(items) < 2:
        return 0
    chunks = _chunks(items, DIGEST_BYTES.get(channel_type, 18000), allowed)
    digests, notes = [], []
    for chunk, more in chunks:
        digest = _digest(channel, chunk, more, now)
        digests.append(digest)
        notes += [(row, f"merged into {digest.key} (编号 {short_ref(digest.key)})") for row, _ in chunk + more]
    store.enqueue(session, digests, now)
    session.connection().execute(_MERGE, [
        {"_id": row.id, "_note": note, "_subject": row.subject, "_text": row.body_text,
         "_html": row.body_html, "_markdown": row.body_markdown}
        for row, note in notes
    ])
    return len(digests)


Item = tuple[OutboxMessage, Rendered]


def _chunks(items: list[Item], room: int, allowed: int) -> list[tuple[list[Item], list[Item]]]:
    """Greedy packing by size; past ``allowed`` digests the rest ride on the last one, uncounted
    in its list but named in its "另有 N 条" line."""
    chunks: list[list[Item]] = [[]]
    used = DIGEST_OVERHEAD
    for item in items:
        need = _size(item)
        if chunks[-1] and used + need > room:
            if len(chunks) == allowed:
                break
            chunks.append([])
            used = DIGEST_OVERHEAD
        chunks[-1].append(item)
        used += need
    listed = sum(len(c) for c in chunks)
    result: list[tuple[list[Item], list[Item]]] = [(chunk, []) for chunk in chunks]
    result[-1] = (chunks[-1], items[listed:])
    return result


def _size(item: Item) -> int:
    rendered = item[1]
    return len(rendered.subject.encode()) + len(_excerpt(rendered.text).encode()) + ITEM_OVERHEAD


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    head = flat.encode()[:EXCERPT_BYTES].decode("utf-8", "ignore")
    return head if len(head) == len(flat) else head.rstrip() + "…"


def _digest(channel: str, chunk: Sequence[Item], more: Sequence[Item], now: dt.datetime) -> PlannedMessage:
    rows = [row for row, _ in (*chunk, *more)]
    digest = hashlib.sha256("\n".join(row.key for row in rows).encode()).hexdigest()[:16]
    mentions: dict[tuple[str, str, str], Mention] = {}
    for row in rows:
        for m in row.mentions:
            mention = Mention(**m)
            mentions.setdefault((mention.name, mention.mobile, mention.open_id), mention)
    context: dict[str, Any] = {
        "count": len(rows),
        "items": [{"ref": r.ref, "subject": r.subject, "excerpt": _excerpt(r.text)} for _, r in chunk],
        "more": len(more),
        "first_due": min(row.due_at for row in rows).isoformat(),
    }
    return PlannedMessage(
        key=f"merged:{channel}:{digest}",
        kind=MERGED_KIND,
        recipient=Recipient(f"channel:{channel}", rows[0].recipient_name, channel, mentions=tuple(mentions.values())),
        due_at=min(now, min(row.due_at for row in rows)),  # in line with what it lists, not behind the rest
        expires_at=max(row.expires_at for row in rows),
        context=context,
        priority=DIGEST_PRIORITY,
    )
