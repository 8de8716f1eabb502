from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.config import load_config
from tests.support.project import make_project


def test_warnings_table_loads(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", '\n[warnings]\ninbox = "in"\nscan_every = "2m"\nexercise = "store"\n'
                          '[warnings.feeds.mirror]\nurl = "http://127.0.0.1:8080/cap/"\ninterval = "10m"\n')
    w = load_config(config, environ={}).config.warnings
    assert (w.inbox, w.scan_every, w.exercise, w.test) == ("in", dt.timedelta(minutes=2), "store", "store")
    assert w.feeds["mirror"].interval == dt.timedelta(minutes=10)


@pytest.mark.parametrize(("extra", "words"), [
    ('exercise = "send"', "exercise"),
    ("max_bytes = 10", "max_bytes"),
    ("colour = 1", "colour"),
])
def test_warnings_table_errors(tmp_path: Path, extra: str, words: str) -> None:
    config = make_project(tmp_path / "p", f"\n[warnings]\n{extra}\n")
    with pytest.raises(Exception, match=words):
        load_config(config, environ={})
