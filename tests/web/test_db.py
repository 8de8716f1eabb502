"""Pages read without taking the scheduler's write lock (SQLite)."""

from __future__ import annotations

import sqlite3

from flask import Flask

from scheduler.app import App
from scheduler.db import sqlite_path
from tests.web.helpers import client_as


def test_pages_open_while_the_scheduler_holds_the_write_lock(flask_app: Flask, web_app: App) -> None:
    client = client_as(flask_app, "viewer")
    path = sqlite_path(web_app.loaded.database_url)
    writer = sqlite3.connect(path, timeout=1, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as a planning tick or an import does
    try:
        for page in ("/", "/roster", "/hazards", "/readyz"):
            assert client.get(page).status_code in (200, 503), page
    finally:
        writer.execute("ROLLBACK")
        writer.close()
