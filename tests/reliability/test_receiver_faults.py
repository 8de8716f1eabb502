"""Receiver faults under `safeduty run`: one webhook answers in turn 500, a reset connection, no
answer (past its timeout) and 429 with Retry-After; a Feishu bot answers its rate-limit code;
a third target works. Everything is delivered once, each failure is followed by a wait, and
the working target's messages, falling due one after another meanwhile, go out while the
failing ones are still waiting (no target holds up another)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest

from scheduler.config import load_config
from tests.reliability.conftest import Figures
from tests.support.bots import FEISHU_THROTTLED, FeishuBot
from tests.support.delivery import note
from tests.support.observe import Attempt, OutboxProbe, wait_until_all
from tests.support.process import ServiceProcess
from tests.support.receivers import RecordingReceiver
from tests.support.running import SECRET, fill_outbox, service_project, webhook_toml
from tests.support.servers import RESET, Answer, Hang

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(120)]

SECOND = dt.timedelta(seconds=1)
RETRY_AFTER_S = 3
FEISHU_RESET_S = 2
TIMEOUT_S = 1.5
FAULTS = (Answer(500, b"upstream error"), RESET, Hang(seconds=30),
          Answer.json({"error": "slow down"}, 429, {"Retry-After": str(RETRY_AFTER_S)}))
# What each failure must be followed by, at least, before the target is tried again.
MIN_WAIT = {"HTTP 500": SECOND, "connection failed": SECOND, "no answer within": SECOND,
            "HTTP 429": RETRY_AFTER_S * SECOND, "code 11232": FEISHU_RESET_S * SECOND}
CONFIG = """
[channels.bot]
type = "feishu"
url = "{bot}"

[delivery.retry]
base = "1s"
cap = "2s"
"""


def gaps(attempts: list[Attempt]) -> list[tuple[str, dt.timedelta]]:
    """For each failed attempt on a target: its error, and the time until the target's next attempt."""
    ordered = sorted(attempts, key=lambda a: a.started_at)
    return [(a.detail, b.started_at - a.finished_at) for a, b in itertools.pairwise(ordered) if a.outcome != "sent"]


def test_a_failing_receiver_and_a_throttling_bot_get_everything_in_the_end_and_hold_up_no_one(
    tmp_path: Path, figures: Figures
) -> None:
    with (RecordingReceiver(SECRET) as flaky, RecordingReceiver(SECRET) as steady,
          FeishuBot() as bot):
        toml = (webhook_toml("flaky", f"{flaky.base_url}/h", timeout=f'"{TIMEOUT_S}s"')
                + webhook_toml("steady", f"{steady.base_url}/h") + CONFIG.format(bot=bot.url))
        config = service_project(tmp_path / "p", toml)
        now = dt.datetime.now(dt.UTC)
        messages = ([note(f"flaky:{i}", "flaky", now - SECOND) for i in range(5)]
                    + [note(f"bot:{i}", "bot", now - SECOND) for i in range(3)]
                    # Falling due one after another while the others fail and wait.
                    + [note(f"steady:{i:02d}", "steady", now + i * dt.timedelta(milliseconds=250)) for i in range(13)])
        fill_outbox(config, messages, now)
        flaky.script(*FAULTS)
        bot.script(Answer.json(FEISHU_THROTTLED, 200, {"x-ogw-ratelimit-reset": str(FEISHU_RESET_S)}))
        with OutboxProbe.of(load_config(config, environ={})) as probe, ServiceProcess(config, "run") as service:
            wait_until_all(probe, {m.key for m in messages}, "sent", [service], 60)
            assert service.stop() == 0
            attempts = probe.attempts()

    assert set(flaky.counts) == {f"flaky:{i}" for i in range(5)} and not flaky.duplicates
    assert set(steady.counts) == {f"steady:{i:02d}" for i in range(13)} and not steady.duplicates
    refs = [re.search("编号：([0-9A-Z]+)", json.dumps(m, ensure_ascii=False)) for m in bot.messages]
    assert len(bot.messages) == 3 and all(refs) and len({r[1] for r in refs if r}) == 3

    flaky_gaps = gaps([a for a in attempts if a.key.startswith("flaky:")])
    expected = ["HTTP 500", "connection failed", f"no answer within {TIMEOUT_S:g}s", "HTTP 429"]
    assert len(flaky_gaps) == len(expected), flaky_gaps
    assert all(detail.startswith(prefix) for (detail, _), prefix in zip(flaky_gaps, expected, strict=True)), flaky_gaps
    bot_gaps = gaps([a for a in attempts if a.key.startswith("bot:")])
    assert len(bot_gaps) == 1 and bot_gaps[0][0].startswith("code 11232"), bot_gaps
    for detail, waited in flaky_gaps + bot_gaps:
        floor = next(wait for prefix, wait in MIN_WAIT.items() if detail.startswith(prefix))
        assert waited >= floor, f"tried again {waited} after {detail!r}: no backoff"

    # The working target was never held up: its last message, due after the faults began,
    # arrived before the failing webhook took its first message.
    assert steady.arrivals[-1][0] < flaky.arrivals[0][0]
    figures.record(faults_injected=len(FAULTS) + 1, messages=len(messages), delivered_once=len(messages),
                   waits_checked=len(flaky_gaps) + len(bot_gaps))
