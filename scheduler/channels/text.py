"""Fitting chat text into the bots' limits, which are counted in UTF-8 bytes (一个汉字 = 3 bytes).

A channel sends one request per message, so a text that does not fit is cut at a line where it
can be, with a note saying so; the delivery reference is added after the cut, so it always shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

TRUNCATED_NOTE = "\n……（内容过长，已截断）"
MAX_FIT_ROUNDS = 4


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def fit(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` bytes, else its head (cut at a line end where one is
    close) followed by a note."""
    if size(text) <= limit:
        return text
    room = limit - size(TRUNCATED_NOTE)
    if room <= 0:  # no room even for the note
        return text.encode("utf-8")[: max(0, limit)].decode("utf-8", "ignore")
    head = text.encode("utf-8")[:room].decode("utf-8", "ignore")
    line_end = head.rfind("\n")
    if line_end >= len(head) * 2 // 3:  # do not throw away a third of the room for a tidy cut
        head = head[:line_end]
    return head.rstrip() + TRUNCATED_NOTE


def with_ref(text: str, ref: str) -> str:
    """The text with its delivery reference, so people can tell a resend from a new message."""
    return text if ref in text else f"{text.rstrip()}\n\n编号：{ref}"


def json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fit_json(build: Callable[[str], Any], text: str, limit: int) -> bytes:
    """The JSON body ``build(text')`` where ``text'`` is ``text`` cut until the whole body fits
    in ``limit`` bytes. JSON escaping makes the text larger in the body than on its own (quotes,
    newlines), so the cut is scaled by how much larger, and tightened if it still overflows."""
    body = json_bytes(build(text))
    if len(body) <= limit:
        return body
    overhead = len(json_bytes(build("")))
    growth = max(1.0, (len(body) - overhead) / max(1, size(text)))
    budget = int((limit - overhead) / growth)
    for _ in range(MAX_FIT_ROUNDS):
        body = json_bytes(build(fit(text, max(0, budget))))
        if len(body) <= limit:
            break
        budget -= int((len(body) - limit) / growth) + 1
    return body
