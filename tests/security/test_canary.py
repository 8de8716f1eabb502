"""Canary secrets: each goes into config through ``${ENV}``, then every output is searched for it.

The real command runs in a subprocess (so uncaught exceptions print as they would for a user),
at DEBUG, with text and JSON logs, against a DingTalk stand-in that accepts, refuses (echoing
the token in its error, as some vendors do) and then goes away. Searched afterwards: stdout and
stderr of every command, every file the project wrote, every column of every table, and every
message the bots received.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.config import load_config
from scheduler.outbox import store
from tests.support.bots import DingtalkBot
from tests.support.delivery import delivery_project, note
from tests.support.project import ROOT
from tests.support.servers import Answer

pytestmark = pytest.mark.timeout(180)

TOKEN = "cnryTok7Q2x9Tk4Wm"
SECRET = "SECcnrySec5Vb8Lm3"
HOOK_KEY = "cnryKey3Hd8Pq1Za"
CANARIES = (TOKEN, SECRET, HOOK_KEY)
ENV = {"SAFEDUTY_T_TOKEN": TOKEN, "SAFEDUTY_T_SECRET": SECRET, "SAFEDUTY_T_KEY": HOOK_KEY}


def safeduty(config: Path, *args: str, fmt: str = "text", at: dt.datetime | None = None
             ) -> subprocess.CompletedProcess[str]:
    entry = ["-m", "scheduler"] if at is None else ["-m", "tests.support.timed_main", at.isoformat()]
    return subprocess.run(
        [sys.executable, *entry, "--config", str(config), "--log-format", fmt, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, **ENV},
    )


def channels(bot_port: int, closed_port: int) -> str:
    return f"""
[channels.ding]
type = "dingtalk"
url = "http://127.0.0.1:{bot_port}/robot/send?access_token=${{SAFEDUTY_T_TOKEN}}"
secret = "${{SAFEDUTY_T_SECRET}}"
rate_per_minute = 0

[channels.gone]
type = "wecom"
url = "http://127.0.0.1:{closed_port}/cgi-bin/webhook/send?key=${{SAFEDUTY_T_KEY}}"
"""


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


def database_text(path: Path) -> str:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"'))


def project(tmp_path: Path, bot: DingtalkBot, port: int) -> Path:
    config = delivery_project(tmp_path / "p", channels(bot.port, port))
    text = config.read_text(encoding="utf-8")
    text = text.replace('first_run_lookback = "1d"', 'first_run_lookback = "1d"\nlog_level = "DEBUG"')
    text = text.replace('[groups.admins]\nroles = ["admin"]', '[groups.admins]\nroles = ["admin"]\nbot = "ding"')
    config.write_text(text, encoding="utf-8")
    return config


def seed(config: Path, keys: list[tuple[str, str]]) -> None:
    app = App(load_config(config, environ=ENV))
    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    with app.sessions.begin() as session:
        store.enqueue(session, [note(key, channel, now) for key, channel in keys], now)
    app.close()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_canary_reaches_any_output_log_table_file_or_message(tmp_path: Path, fmt: str) -> None:
    port = closed_port()
    with DingtalkBot(token=TOKEN, secret=SECRET) as bot:
        config = project(tmp_path, bot, port)
        seed(config, [("canary:refused", "ding"), ("canary:gone", "gone"), ("canary:ok", "ding")])
        # The first answer refuses and quotes the token, as some vendors' errors do.
        bot.script(Answer.json({"errcode": 300001, "errmsg": f"token {TOKEN} is not exist"}))
        outputs = [safeduty(config, "run", "--once", fmt=fmt)]
        # Later passes plan the admins' digest of the dead message, then send it (it is due a
        # minute or so after it is planned).
        later = dt.datetime.now(dt.UTC)
        outputs.append(safeduty(config, "run", "--once", fmt=fmt, at=later + dt.timedelta(minutes=10)))
        outputs.append(safeduty(config, "run", "--once", fmt=fmt, at=later + dt.timedelta(minutes=20)))
        outputs.append(safeduty(config, "send-test", "gone", fmt=fmt))
        if fmt == "text":  # what these print does not depend on the log format
            outputs += [safeduty(config, "outbox", "show", "canary:refused"),
                        safeduty(config, "outbox", "show", "canary:refused", "--format", "json"),
                        safeduty(config, "outbox", "list"), safeduty(config, "outbox", "targets"),
                        safeduty(config, "check")]
        received = repr(bot.messages)
    assert "1 sent" in outputs[0].stderr, outputs[0].stderr
    assert "connection failed" in outputs[0].stderr  # the closed port was tried
    for done in outputs:
        assert "Traceback" not in done.stderr, done.stderr
        assert leaks(done.stdout + done.stderr) == [], (done.args, done.stdout, done.stderr)
    if fmt == "text":
        assert any("errcode 300001" in o.stdout for o in outputs)  # the refusal is shown, masked
    assert leaks(received) == [] and "errcode 300001" in received  # the admins heard of it, masked
    folder = config.parent
    assert leaks(database_text(folder / "var" / "safeduty.db")) == []
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix not in (".db", ".toml"):
            assert leaks(path.read_text(encoding="utf-8", errors="replace")) == [], path


def test_a_malformed_bot_url_is_refused_at_load_naming_the_key_without_the_token(tmp_path: Path) -> None:
    config = delivery_project(tmp_path / "p", """
[channels.ding]
type = "dingtalk"
url = "https://127.0.0.1:99999/robot/send?access_token=${SAFEDUTY_T_TOKEN}"
""")
    for args in (("check",), ("send-test", "ding"), ("run", "--once")):
        done = safeduty(config, *args)
        assert done.returncode == 2, done.stderr
        assert "channels.ding" in done.stderr and "port" in done.stderr
        assert "Traceback" not in done.stderr and leaks(done.stdout + done.stderr) == []
