"""The web interface under load: the board, the month view, the hazard list and a person's ICS
feed, against a minimal Flask route on the same waitress server in the same run.

Data: the shipped config.toml, 1,000 enterprises, 60 staff, 10,000 hazards (5% major) and a
published roster for the whole year. The server (waitress, [web] threads = 4, the real
``create_app``) runs in a child process so the client does not share its interpreter; the client
sends ``--requests`` sequential requests per page over one keep-alive connection, signed in, and
records each latency. The baseline is a route added to the same application that returns "ok"
(it passes through the same access hook, session and headers). Reported: requests/s, p50 and p95
per page, and each page's rate as a share of the minimal route's (target ≥ 0.3; board p95
< 50 ms, hazard list p95 < 100 ms).

    python -m bench.bench_web [--requests 300] [--runs 3] [--json FILE]
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import multiprocessing
import re
import statistics
import tempfile
import time
import urllib.parse
from pathlib import Path

from sqlalchemy import insert, select

from bench import datagen
from bench.common import FixedClock, Report, parser, progress
from bench.project import make_app
from rosters.book import RosterBook
from scheduler.accounts import feeds, roles, users
from scheduler.app import App
from scheduler.hazards.models import Hazard
from scheduler.people.models import Enterprise

MOMENT = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Wednesday
YEAR = MOMENT.year
PASSWORD = "bench password 123"
ACCOUNT = "S0003"  # the generated staff's admin


def build(database: str) -> tuple[App, str]:
    """The app with its data; returns it and a personal feed token."""
    clock = FixedClock(MOMENT)
    app = make_app(database, clock, enterprises=1000, staff=60)  # [web] as shipped, on port 0
    with app.engine.begin() as conn:
        ids = list(conn.scalars(select(Enterprise.id)))
        rows = datagen.hazards(10_000, ids, MOMENT.date())
        while batch := list(itertools.islice(rows, 5000)):
            conn.execute(insert(Hazard), batch)
    now = clock.now()
    with app.sessions.begin() as session:
        book = RosterBook(session, app.config.roster, app.calendar, app.config.service.zone)
        book.generate(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), now=now, actor="bench", past=True)
        book.publish(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), now=now, actor="bench")
        users.set_password(session, ACCOUNT, PASSWORD, now=now)
        users.set_roles(session, ACCOUNT, roles.parse_roles("admin"), now=now)
        token = feeds.issue(session, staff_code="S0001", now=now, by="bench").token
    return app, token


def serve(database: str, config: str, ready: multiprocessing.connection.Connection) -> None:
    """The child: the real application on a free port, plus the minimal route."""
    import threading

    from scheduler.config import load_config
    from scheduler.web import create_app
    from scheduler.web.access import PUBLIC, allow
    from scheduler.web.serving import WebServer

    app = App(load_config(config, environ={}), clock=FixedClock(MOMENT), worker="bench-web")
    flask_app = create_app(app)

    @allow(PUBLIC)
    def minimal() -> str:
        return "ok"

    flask_app.add_url_rule("/bench/minimal", "minimal", minimal)
    server = WebServer(flask_app, app.config.web.listen, threads=app.config.web.threads)
    server.start()
    ready.send(server.port)
    ready.recv()  # until the parent is done
    server.stop()
    threading.Event().set()


class Client:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: str = "") -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body or None, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("safeduty_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data

    def sign_in(self) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            rb'value="([^"]+)"', page)
        assert token is not None
        form = urllib.parse.urlencode({"code": ACCOUNT, "password": PASSWORD, "csrf_token": token[1].decode()})
        status, _ = self.request("POST", "/login", form)
        assert status == 302, f"sign-in failed ({status})"


def measure(client: Client, path: str, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        status, _ = client.request("GET", path)
        latencies.append(time.perf_counter() - started)
        assert status == 200, f"{path}: {status}"
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--requests", type=int, default=300, help="sequential requests per page and run")
    args = p.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="safeduty-bench-web-"))
    database = f"sqlite:///{folder}/web.db"
    progress("web: 1,000 enterprises, 60 staff, 10,000 hazards, a published year")
    app, token = build(database)
    config = str(app.loaded.path)
    app.close()  # (kept referenced: its folder holds the config the child reads)
    pages = {"minimal route": "/bench/minimal", "board": "/", "month view": "/roster?month=2026-03",
             "hazard list": "/hazards", "person ICS": f"/ics/{token}.ics"}
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(target=serve, args=(database, config, theirs), daemon=True)
    child.start()
    port = ours.recv()
    report = Report("web interface: pages under sequential load",
                    f"waitress (4 threads) in a child process; {args.requests} requests per page and run, "
                    "one keep-alive connection, signed in")
    try:
        client = Client(port)
        client.sign_in()
        for path in pages.values():
            measure(client, path, 20)  # warm-up: templates compiled, caches filled
        for run in range(args.runs):
            progress(f"web: run {run + 1}/{args.runs}")
            for name, path in pages.items():
                latencies = measure(client, path, args.requests)
                report.add(f"{name} requests/s", "req/s", len(latencies) / sum(latencies))
                report.add(f"{name} p50", "ms", statistics.median(latencies) * 1000)
                report.add(f"{name} p95", "ms", percentile(latencies, 0.95) * 1000)
    finally:
        ours.send("stop")
        child.join(timeout=30)
    baseline = report.median("minimal route requests/s")
    for name in list(pages)[1:]:
        report.ratio(f"{name} rate / minimal route's", report.median(f"{name} requests/s") / baseline,
                     "share of the minimal route's requests/s on the same server (target >= 0.3)")
    report.notes["targets"] = "board p95 < 50 ms; hazard list p95 < 100 ms; each rate >= 0.3 x the minimal route's"
    report.show(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
