"""Flask-WTF forms shared by several areas (each area keeps its own forms beside its views)."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A form with nothing but its CSRF token: sign out, revoke, retry."""
