"""The watched folder ``[warnings] inbox``: CAP files dropped there are taken in.

Each ``*.xml`` / ``*.cap`` file in the folder (not in its subfolders) is read and taken on its
own: a good one moves to ``done/``, a refused one to ``failed/`` with ``<name>.reason.txt``
beside it (the error naming the element).  One bad file never stops the rest of the batch.
A file moved to ``failed/`` is reported to the admins once (「预警文件被拒收」, ``reports.refused``:
its key names the file's new name and the reason, and the outbox keeps a key once).  A file still being
written (modified within the last two seconds) waits for the next scan.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from scheduler.config.warnings import WarningsConfig
from scheduler.warnings import cap, intake, reports
from scheduler.warnings.model import Warning

log = logging.getLogger(__name__)
SUFFIXES = (".xml", ".cap")
SETTLE = dt.timedelta(seconds=2)


@dataclass
class ScanResult:
    taken: list[Warning] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # file name -> reason


def _unique(target: Path) -> Path:
    if not target.exists():
        return target
    n = 1
    while (candidate := target.with_name(f"{target.stem}.{n}{target.suffix}")).exists():
        n += 1
    return candidate


def scan(folder: Path, sessions: sessionmaker[Session], config: WarningsConfig, now: dt.datetime,
         wall: float | None = None) -> ScanResult:
    """Take every settled file in ``folder``; move each to done/ or failed/.

    ``now`` is the service clock (stored as received_at); ``wall`` (default ``time.time()``) is
    compared with file modification times, which the filesystem keeps in wall-clock time.
    """
    wall = time.time() if wall is None else wall
    result = ScanResult()
    if not folder.is_dir():
        return result
    done, failed = folder / "done", folder / "failed"
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES):
        try:
            stat = path.stat()
        except OSError:
            continue
        if wall - stat.st_mtime < SETTLE.total_seconds():
            continue
        reason = ""
        with sessions() as session:
            try:
                if stat.st_size > config.max_bytes:  # not even read
                    raise cap.CapError(path.name, "", f"{stat.st_size} bytes, over the limit of "
                                                      f"{config.max_bytes} ([warnings] max_bytes)")
                taken = intake.take(session, path.read_bytes(), file=path.name, source=f"inbox:{path.name}",
                                    config=config, now=now)
                session.commit()
                result.taken.extend(taken)
            except cap.CapError as exc:
                session.rollback()
                reason = str(exc)
            except OSError as exc:
                session.rollback()
                reason = f"{path.name}: cannot read ({exc.strerror})"
        if reason:
            failed.mkdir(exist_ok=True)
            target = _unique(failed / path.name)
            os.replace(path, target)
            target.with_name(target.name + ".reason.txt").write_text(reason + "\n", "utf-8")
            result.failed[target.name] = reason
            log.warning("warning inbox: refused %s", reason)
        else:
            done.mkdir(exist_ok=True)
            target = _unique(done / path.name)
            os.replace(path, target)
            result.done.append(target.name)
    return result


def rejected(folder: Path) -> list[tuple[str, dt.datetime, str]]:
    """Files in ``failed/``: (name, when moved there, reason), oldest first."""
    failed = folder / "failed"
    if not failed.is_dir():
        return []
    out = []
    for reason in failed.glob("*.reason.txt"):
        when = dt.datetime.fromtimestamp(reason.stat().st_mtime, dt.UTC)
        out.append((reason.name.removesuffix(".reason.txt"), when, reason.read_text("utf-8").strip()))
    return sorted(out, key=lambda x: (x[1], x[0]))


def scan_app(app) -> ScanResult:  # type: ignore[no-untyped-def]
    """The service's inbox pass: scan ``[warnings] inbox``, report refused files to the admins and
    hand new versions to the relay.

    Does nothing when no inbox is configured.
    """
    config: WarningsConfig = app.config.warnings
    if not config.inbox:
        return ScanResult()
    now = app.clock.now()
    result = scan(app.loaded.resolve(config.inbox), app.sessions, config, now)
    reports.enqueue(app, [r for name, reason in result.failed.items()
                          for r in reports.refused("收件箱", name, reason, f"inbox:{name}", now)])
    if result.taken:
        with app.sessions() as session:
            intake.after_taken(app, session, result.taken)
            session.commit()
    return result
