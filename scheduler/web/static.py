"""The vendored stylesheet (no CDN; every page works without JavaScript)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from scheduler.web.access import PUBLIC, allow

FOLDER = Path(__file__).resolve().parent / "static"
bp = Blueprint("static", __name__)


@bp.get("/static/<path:filename>")
@allow(PUBLIC)
def file(filename: str) -> Response:
    response = send_from_directory(FOLDER, filename, max_age=3600)
    return response
