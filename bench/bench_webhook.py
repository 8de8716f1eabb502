"""Webhook delivery: 5,000 due messages through the real dispatcher against raw signed POSTs.

Each run, to the same local receiver (bench.receivers.HttpSink, its own process):
  dispatcher — 5,000 real reminders (pre-holiday and key-period kinds with their planned
               contexts) due now in a fresh SQLite outbox, addressed to a `webhook` channel;
               timed: `Dispatcher.dispatch_due()` until all are sent — claims, rendering of every
               template part, the JSON payload, Standard Webhooks signing, the POST, and the
               outcomes and attempts written back;
  raw        — the ceiling: the same number of signed POSTs of the same payloads with one
               `requests.Session` (trust_env off), one at a time as the dispatcher sends to one
               target; payloads rendered beforehand, untimed; no database.
The receiver counts the distinct webhook-ids it got: every message arrives exactly once.

    python -m bench.bench_webhook [--messages 5000] [--runs 3] [--json FILE]
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import requests

from bench.common import FixedClock, Report, cpu_seconds, parser, progress
from bench.project import due_messages, make_app, outbox_rows
from bench.receivers import HttpSink
from scheduler.app import App
from scheduler.channels.base import Rendered
from scheduler.channels.webhook import EVENT_TYPE, signature, webhook_id
from scheduler.outbox import store

NOW = dt.datetime(2026, 1, 30, 1, 5, tzinfo=dt.UTC)
SECRET = "whsec_" + "c2FmZWR1dHktYmVuY2gtc2VjcmV0LWtleQ=="
ENTERPRISES = 3000  # enough reminders to pick the messages from


def channel_toml(url: str) -> str:
    return f'\n[channels.platform]\ntype = "webhook"\nurl = "{url}"\nsecret = "{SECRET}"\n'


def through_dispatcher(app: App, count: int) -> tuple[float, float, int]:
    """(seconds, CPU seconds, messages sent) for dispatching everything due."""
    cpu, sent = cpu_seconds(), 0
    started = time.perf_counter()
    while sent < count:
        done = app.dispatcher.dispatch_due()
        if done == 0:
            raise SystemExit(f"the dispatcher stopped after {sent} of {count} messages")
        sent += done
    return time.perf_counter() - started, cpu_seconds() - cpu, sent


def payload(message: Rendered) -> dict[str, object]:
    return {"type": EVENT_TYPE, "timestamp": message.due_at,
            "data": {"key": message.key, "ref": message.ref, "kind": message.kind,
                     "recipient": message.recipient_name, "address": message.address, "mentions": [],
                     "subject": message.subject, "text": message.text, "markdown": message.markdown,
                     "truncated": False}}


def raw_posts(url: str, messages: list[Rendered]) -> tuple[float, float]:
    """(seconds, CPU seconds) for signing and POSTing every message with one requests.Session."""
    session = requests.Session()
    session.trust_env = False
    cpu, started = cpu_seconds(), time.perf_counter()
    for message in messages:
        body = json.dumps(payload(message), ensure_ascii=False, separators=(",", ":")).encode()
        msg_id, stamp = webhook_id(message.key), str(int(time.time()))
        response = session.post(url, data=body, headers={
            "Content-Type": "application/json; charset=utf-8", "webhook-id": msg_id, "webhook-timestamp": stamp,
            "webhook-signature": signature(SECRET, msg_id, stamp, body)})
        response.raise_for_status()
    seconds = time.perf_counter() - started
    session.close()
    return seconds, cpu_seconds() - cpu


def check(sink: HttpSink, count: int, what: str) -> None:
    requests_, distinct = sink.reset()
    if (requests_, distinct) != (count, count):
        raise SystemExit(f"{what}: the receiver got {requests_} requests with {distinct} distinct webhook-ids, "
                         f"not {count}")


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--messages", type=int, default=5000)
    args = p.parse_args(argv)
    count = args.messages
    report = Report("webhook delivery", f"{count:,} messages to a local keep-alive receiver (own process); "
                                        f"SQLite outbox; median of {args.runs} runs")
    with HttpSink() as sink, tempfile.TemporaryDirectory(prefix="safeduty-bench-") as folder:
        for run in range(args.runs):
            progress(f"webhook: run {run + 1}/{args.runs}")
            app = make_app(f"sqlite:///{Path(folder)}/hooks{run}.db", FixedClock(NOW),
                           enterprises=ENTERPRISES, staff=60, extra=channel_toml(sink.url))
            try:
                messages = due_messages(app, count, "platform", NOW)
                with app.sessions.begin() as session:
                    store.enqueue(session, messages, NOW)
                seconds, cpu, sent = through_dispatcher(app, count)
                check(sink, count, "dispatcher")
                rendered = [app.dispatcher.render(row, late=False) for row in outbox_rows(app)]
            finally:
                app.close()
            report.add("dispatcher", "msg/s", sent / seconds)
            report.add("dispatcher CPU", "ms/msg", cpu / sent * 1000)
            seconds, cpu = raw_posts(sink.url, rendered)
            check(sink, count, "raw")
            report.add("raw requests.Session", "msg/s", count / seconds)
            report.add("raw CPU", "ms/msg", cpu / count * 1000)
    report.ratio("dispatcher / raw", report.median("dispatcher") / report.median("raw requests.Session"),
                 "share of the raw ceiling the full delivery path reaches (target >= 0.7)")
    report.show(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
