"""The shapes intake and relay share: a parsed CAP alert, and a stored warning version.

An alert carries one or more ``Info`` blocks (CAP allows one per language; the Chinese profile
sends one in zh-CN). A *thread* is an original alert and the Updates and Cancels that follow it
through ``references``: the relay sends 预警更新 and 预警解除 to the same recipients as the
original, so every version names the thread it belongs to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Level = Literal["红", "橙", "黄", "蓝"]
LEVELS: tuple[Level, ...] = ("红", "橙", "黄", "蓝")  # most severe first
Status = Literal["Actual", "Exercise", "System", "Test", "Draft"]
MsgType = Literal["Alert", "Update", "Cancel", "Ack", "Error"]


@dataclass(frozen=True)
class Area:
    desc: str  # areaDesc, as written (e.g. "太原市")
    geocodes: tuple[str, ...]  # 行政区划 codes, 6 or 12 digits


@dataclass(frozen=True)
class Info:
    event: str  # normalised event name: 暴雨, 山洪, 地质灾害, 高温, 大风, 雷电, 暴雪, 寒潮, 大雾, 冰雹 …
    level: Level
    severity: str  # CAP severity as sent: Extreme, Severe, Moderate, Minor, Unknown
    urgency: str
    certainty: str
    onset: dt.datetime | None  # aware
    expires: dt.datetime | None  # aware
    sender_name: str  # 发布单位, e.g. 太原市气象台
    headline: str
    description: str
    instruction: str
    areas: tuple[Area, ...]


@dataclass(frozen=True)
class Reference:
    sender: str
    identifier: str
    sent: dt.datetime


@dataclass(frozen=True)
class Alert:
    """One CAP ``alert`` (or a warning entered by hand, as if it were one)."""

    identifier: str
    sender: str
    sent: dt.datetime  # aware
    status: Status
    msg_type: MsgType
    scope: str
    references: tuple[Reference, ...]
    infos: tuple[Info, ...]
    note: str = ""


@dataclass(frozen=True)
class Warning:
    """One stored version of a warning thread, as the relay plans from it."""

    id: int
    thread: str  # the identifier of the thread's first alert (its own for an original)
    identifier: str
    version: int  # 1 for the original, then 2, 3 … in the order received
    status: Status  # Actual or Exercise (what is delivered); Test is stored but not relayed
    msg_type: MsgType  # Alert, Update or Cancel
    event: str
    level: Level
    onset: dt.datetime | None
    expires: dt.datetime | None
    sender_name: str
    headline: str
    description: str
    instruction: str
    area_desc: str  # the areas' descriptions joined with "、"
    geocodes: tuple[str, ...]  # every area's codes
    received_at: dt.datetime
    source: str  # "inbox:<file>", "feed:<name>", "import:<file>", "hand:<who>"

    @property
    def drill(self) -> bool:
        return self.status == "Exercise"


def superseded(version: Warning, thread_versions: Sequence[Warning]) -> bool:
    """Whether a later version of the thread was already held when ``version`` arrived (an
    original that came after its update: kept for the record, never relayed)."""
    return any(w.version > version.version and w.received_at <= version.received_at for w in thread_versions)


def over_on_arrival(version: Warning) -> bool:
    """Whether ``version`` had expired before we took it in (a feed's old files, a fax scanned a
    day late): kept for the record, never relayed — there is nothing left to warn of."""
    return version.expires is not None and version.received_at >= version.expires
