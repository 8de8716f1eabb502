"""Import a big enterprises file: time, peak memory, and how long other writers are held up.

    python -m bench.bench_import [--rows 1000000] [--max-rows N] [--keep DIR]

Writes an N-row enterprises CSV (UTF-8, every column filled), then runs `safeduty import
enterprises` on it in a subprocess while a second process writes to the same SQLite database
every 200 ms (with the service's own 30 s busy timeout, as its ticks would). Prints the import's wall time,
its peak resident memory, its exit code and first line of output, and the longest wait and the
failures of the other writer. With the default limits ([security.imports] max_rows = 100000)
(and max_megabytes = 100) a million rows are refused at once; --max-rows and --max-megabytes
raise the caps to import them.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from scheduler.db import SQLITE_BUSY_TIMEOUT_S

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("编码,名称,类别,等级,行政区划,主要负责人,主要负责人手机,主要负责人邮箱,安全管理人员,安全管理人员手机,"
          "安全管理人员邮箱,预警联系人,预警联系人手机,预警联系人邮箱\n")
CONFIG = """
[service]
database = "sqlite:///var/safeduty.db"
[channels.console]
type = "console"
[groups.admins]
roles = ["admin"]
[groups.duty_team]
roles = ["leader", "officer"]
[groups.safety_section]
roles = ["section_head"]
[groups.supervisors]
roles = ["supervisor"]
[groups.section_heads]
roles = ["section_head"]
[groups.bureau_leaders]
roles = ["bureau_leader"]
"""
LIMITS = """
[security.imports]
max_rows = {max_rows}
max_megabytes = {max_megabytes}
"""


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(rows):
            fh.write(f"9114{i:014d},示例文化旅游企业第{i}号有限公司,A级旅游景区,4A,1401{i % 100:02d},王建国{i % 97},"
                     f"139{i % 100000000:08d},p{i}@example.com,李安全,138{i % 100000000:08d},s{i}@example.com,"
                     f"赵预警,137{i % 100000000:08d},w{i}@example.com\n")


class Writer(threading.Thread):
    """Another writer of the same database: its longest wait and its failures."""

    def __init__(self, database: Path) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.stop = threading.Event()
        self.longest = 0.0
        self.failures = 0
        self.writes = 0

    def run(self) -> None:
        db = sqlite3.connect(self.database, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)
        db.execute("CREATE TABLE IF NOT EXISTS bench_probe (at REAL)")
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                db.execute("INSERT INTO bench_probe VALUES (?)", (started,))
                self.writes += 1
            except sqlite3.OperationalError:
                self.failures += 1
            self.longest = max(self.longest, time.monotonic() - started)
            self.stop.wait(0.2)
        db.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--max-rows", type=int, default=100_000,
                   help="[security.imports] max_rows for the run (0: leave the section out, for older code)")
    p.add_argument("--max-megabytes", type=int, default=100, help="[security.imports] max_megabytes for the run")
    p.add_argument("--source", type=Path, default=ROOT, help="run the safeduty found in this source tree")
    p.add_argument("--keep", type=Path, help="work in this folder (kept) instead of a temporary one")
    args = p.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="safeduty-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    limits = LIMITS.format(max_rows=args.max_rows, max_megabytes=args.max_megabytes) if args.max_rows else ""
    (folder / "config.toml").write_text(CONFIG + limits, encoding="utf-8")
    data = folder / "enterprises.csv"
    if not data.exists() or sum(1 for _ in data.open("rb")) != args.rows + 1:
        write_file(data, args.rows)
    base = [sys.executable, "-m", "scheduler", "--config", str(folder / "config.toml")]
    env = {**os.environ, "PYTHONPATH": str(args.source)}
    subprocess.run([*base, "db", "upgrade"], cwd=args.source, env=env, check=True, capture_output=True)
    writer = Writer(folder / "var" / "safeduty.db")
    writer.start()
    started = time.monotonic()
    child = psutil.Popen([*base, "import", "enterprises", str(data), "--replace"], cwd=args.source, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    while child.poll() is None:
        try:
            peak = max(peak, child.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    output = child.stdout.read() if child.stdout else ""
    writer.stop.set()
    writer.join()
    first = next((line for line in output.splitlines() if line.strip()), "")
    print(f"rows: {args.rows:,}  file: {data.stat().st_size / 1e6:.0f} MB  "
          f"max_rows: {args.max_rows:,}  max_megabytes: {args.max_megabytes:,}")
    print(f"import: exit {child.returncode} in {elapsed:.1f} s, peak RSS {peak / 1e6:.0f} MB")
    print(f"  {first[:160]}")
    print(f"other writer: {writer.writes} writes, {writer.failures} failed (database is locked), "
          f"longest wait {writer.longest:.2f} s")
    if args.keep is None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
