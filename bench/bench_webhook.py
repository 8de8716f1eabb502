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
And to 8 targets (8 webhook channels on one receiver that answers each request after
--latency-ms, as a target over a network does):
  dispatcher — 800 due messages, 100 per target, sent by the dispatcher's workers (8: one per
               target), each outcome recorded as its send returns;
  raw        — the same signed POSTs sent one after another with one `requests.Session` per
               target: what a client without the dispatcher's parallelism across targets does.
The receiver counts the distinct webhook-ids it got: every message arrives exactly once.

    python -m bench.bench_webhook [--messages 5000] [--spread 800] [--latency-ms 10] [--runs 3] [--json FILE]
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from dataclasses import replace
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


TARGETS = 8


def channel_toml(url: str, name: str = "platform") -> str:
    return f'\n[channels.{name}]\ntype = "webhook"\nurl = "{url}"\nsecret = "{SECRET}"\n'


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


def raw_posts(urls: list[str], messages: list[Rendered]) -> tuple[float, float]:
    """(seconds, CPU seconds) for signing and POSTing every message, one after another, the i-th
    to ``urls[i % len(urls)]``, with one requests.Session per URL."""
    sessions = [requests.Session() for _ in urls]
    for session in sessions:
        session.trust_env = False
    cpu, started = cpu_seconds(), time.perf_counter()
    for i, message in enumerate(messages):
        body = json.dumps(payload(message), ensure_ascii=False, separators=(",", ":")).encode()
        msg_id, stamp = webhook_id(message.key), str(int(time.time()))
        response = sessions[i % len(urls)].post(urls[i % len(urls)], data=body, headers={
            "Content-Type": "application/json; charset=utf-8", "webhook-id": msg_id, "webhook-timestamp": stamp,
            "webhook-signature": signature(SECRET, msg_id, stamp, body)})
        response.raise_for_status()
    seconds = time.perf_counter() - started
    for session in sessions:
        session.close()
    return seconds, cpu_seconds() - cpu


def check(sink: HttpSink, count: int, what: str) -> None:
    requests_, distinct = sink.reset()
    if (requests_, distinct) != (count, count):
        raise SystemExit(f"{what}: the receiver got {requests_} requests with {distinct} distinct webhook-ids, "
                         f"not {count}")


def measure(report: Report, sink: HttpSink, database: str, count: int, targets: int, label: str) -> None:
    """One run: ``count`` messages spread over ``targets`` webhook channels, through the
    dispatcher, then as raw POSTs one after another."""
    urls = [f"{sink.url}{i}" for i in range(targets)]
    names = ["platform"] if targets == 1 else [f"platform{i}" for i in range(targets)]
    app = make_app(database, FixedClock(NOW), enterprises=ENTERPRISES, staff=60,
                   extra="".join(channel_toml(url, name) for url, name in zip(urls, names, strict=True)))
    try:
        messages = due_messages(app, count, "platform", NOW)
        messages = [replace(m, recipient=replace(m.recipient, channel=names[i % targets]))
                    for i, m in enumerate(messages)]
        with app.sessions.begin() as session:
            store.enqueue(session, messages, NOW)
        seconds, cpu, sent = through_dispatcher(app, count)
        check(sink, count, f"dispatcher{label}")
        rendered = {row.key: app.dispatcher.render(row, late=False) for row in outbox_rows(app)}
    finally:
        app.close()
    report.add(f"dispatcher{label}", "msg/s", sent / seconds)
    report.add(f"dispatcher CPU{label}", "ms/msg", cpu / sent * 1000)
    seconds, cpu = raw_posts(urls, [rendered[m.key] for m in messages])
    check(sink, count, f"raw{label}")
    report.add(f"raw requests.Session{label}", "msg/s", count / seconds)
    report.add(f"raw CPU{label}", "ms/msg", cpu / count * 1000)


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--messages", type=int, default=5000)
    p.add_argument("--spread", type=int, default=800, help="messages in the 8-target case (0: skip it)")
    p.add_argument("--latency-ms", type=float, default=10.0, help="the 8 targets' answer time")
    args = p.parse_args(argv)
    count, spread = args.messages, args.spread
    report = Report("webhook delivery", f"{count:,} messages to a local keep-alive receiver (own process); "
                                        f"{spread:,} to {TARGETS} targets answering after {args.latency_ms:g} ms; "
                                        f"SQLite outbox; median of {args.runs} runs")
    label = f", {TARGETS} targets"
    with (HttpSink() as sink, HttpSink(args.latency_ms / 1000) as slow,
          tempfile.TemporaryDirectory(prefix="safeduty-bench-") as folder):
        for run in range(args.runs):
            progress(f"webhook: run {run + 1}/{args.runs}")
            measure(report, sink, f"sqlite:///{Path(folder)}/hooks{run}.db", count, 1, "")
            if spread:
                measure(report, slow, f"sqlite:///{Path(folder)}/spread{run}.db", spread, TARGETS, label)
    report.ratio("dispatcher / raw", report.median("dispatcher") / report.median("raw requests.Session"),
                 "share of the raw ceiling the full delivery path reaches, one target (target >= 1.0)")
    if spread:
        report.ratio(f"dispatcher / raw{label}",
                     report.median(f"dispatcher{label}") / report.median(f"raw requests.Session{label}"),
                     f"the dispatcher to {TARGETS} targets at once against a loop sending to them one after "
                     "another (target >= 3)")
    report.show(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
