"""E-mail delivery: 2,000 due messages through the real dispatcher against raw smtplib.

Each run, to the same local aiosmtpd server (bench.receivers.SmtpSink, its own process):
  dispatcher — 2,000 real reminders (pre-holiday and key-period kinds with their planned
               contexts) due now in a fresh SQLite outbox, addressed to an `email` channel
               (plain SMTP on 127.0.0.1; a connection per 50 messages, as configured by
               default); timed: `Dispatcher.dispatch_due()` until all are sent — claims,
               rendering, the MIME message, SMTP, and the outcomes written back;
  raw        — the ceiling: the same messages, rendered beforehand (untimed), each built as a
               plain sender builds one (`email.message.EmailMessage`, default policy: From, To,
               Subject, Date, Message-ID, text and HTML parts when there is one) and sent with
               `smtplib.SMTP.send_message` over one connection reused for all of them;
  transport  — for context: the same messages built beforehand, untimed: SMTP alone.
The server counts what it accepts: every message arrives.

    python -m bench.bench_email [--messages 2000] [--runs 3] [--json FILE]
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import smtplib
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

from bench.common import FixedClock, Report, cpu_seconds, parser, progress
from bench.project import due_messages, make_app, outbox_rows
from bench.receivers import HOST, SmtpSink
from scheduler.app import App
from scheduler.channels.base import Rendered
from scheduler.channels.mime import message_id
from scheduler.outbox import store

NOW = dt.datetime(2026, 1, 30, 1, 5, tzinfo=dt.UTC)
SENDER, SENDER_NAME, DOMAIN = "safety@wlt.example.gov.cn", "安全生产值班提醒", "wlt.example.gov.cn"
ENTERPRISES = 3000


def channel_toml(port: int) -> str:
    return (f'\n[channels.mail]\ntype = "email"\nhost = "{HOST}"\nport = {port}\nsecurity = "none"\n'
            f'sender = "{SENDER}"\nsender_name = "{SENDER_NAME}"\ntimeout = "30s"\n')


def through_dispatcher(app: App, count: int) -> tuple[float, float, int]:
    cpu, sent, started = cpu_seconds(), 0, time.perf_counter()
    while sent < count:
        done = app.dispatcher.dispatch_due()
        if done == 0:
            raise SystemExit(f"the dispatcher stopped after {sent} of {count} messages")
        sent += done
    return time.perf_counter() - started, cpu_seconds() - cpu, sent


def build(message: Rendered) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = email.utils.formataddr((SENDER_NAME, SENDER))
    mail["To"] = email.utils.formataddr((message.recipient_name, message.address))
    mail["Subject"] = message.subject
    mail["Date"] = email.utils.formatdate(usegmt=True)
    mail["Message-ID"] = message_id(message.key, DOMAIN)
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    return mail


def raw_smtp(port: int, messages: list[Rendered]) -> tuple[float, float]:
    cpu, started = cpu_seconds(), time.perf_counter()
    with smtplib.SMTP(HOST, port, timeout=30) as smtp:
        for message in messages:
            smtp.send_message(build(message))
    return time.perf_counter() - started, cpu_seconds() - cpu


def raw_transport(port: int, messages: list[Rendered]) -> float:
    """Seconds to send the same messages, built beforehand (untimed), over one connection."""
    built = [(m.address, build(m).as_bytes(policy=email.policy.SMTP)) for m in messages]
    started = time.perf_counter()
    with smtplib.SMTP(HOST, port, timeout=30) as smtp:
        for address, data in built:
            smtp.sendmail(SENDER, [address], data)
    return time.perf_counter() - started


def check(sink: SmtpSink, count: int, what: str) -> None:
    received = sink.reset()
    if received != count:
        raise SystemExit(f"{what}: the server accepted {received} messages, not {count}")


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--messages", type=int, default=2000)
    args = p.parse_args(argv)
    count = args.messages
    report = Report("e-mail delivery", f"{count:,} messages to a local aiosmtpd server (own process); "
                                       f"SQLite outbox; median of {args.runs} runs")
    with SmtpSink() as sink, tempfile.TemporaryDirectory(prefix="safeduty-bench-") as folder:
        for run in range(args.runs):
            progress(f"email: run {run + 1}/{args.runs}")
            app = make_app(f"sqlite:///{Path(folder)}/mail{run}.db", FixedClock(NOW),
                           enterprises=ENTERPRISES, staff=60, extra=channel_toml(sink.port))
            try:
                with app.sessions.begin() as session:
                    store.enqueue(session, due_messages(app, count, "mail", NOW), NOW)
                seconds, cpu, sent = through_dispatcher(app, count)
                check(sink, count, "dispatcher")
                rendered = [app.dispatcher.render(row, late=False) for row in outbox_rows(app)]
            finally:
                app.close()
            report.add("dispatcher", "msg/s", sent / seconds)
            report.add("dispatcher CPU", "ms/msg", cpu / sent * 1000)
            seconds, cpu = raw_smtp(sink.port, rendered)
            check(sink, count, "raw")
            report.add("raw smtplib, one connection", "msg/s", count / seconds)
            report.add("raw CPU", "ms/msg", cpu / count * 1000)
            seconds = raw_transport(sink.port, rendered)
            check(sink, count, "raw transport")
            report.add("raw smtplib, prebuilt messages (transport only)", "msg/s", count / seconds)
    report.ratio("dispatcher / raw", report.median("dispatcher") / report.median("raw smtplib, one connection"),
                 "share of the raw ceiling the full delivery path reaches (target >= 0.7)")
    report.ratio("dispatcher / raw transport only",
                 report.median("dispatcher") / report.median("raw smtplib, prebuilt messages (transport only)"),
                 "for context: against SMTP alone, with no message to build")
    report.show(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
