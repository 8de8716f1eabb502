"""The enterprise file's 场所特征 column: read, stored, and a bad value refused naming the row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.app import App
from scheduler.people.imports import import_enterprises
from scheduler.people.models import Enterprise
from scheduler.tabular import DataError

HEAD = "编码,名称,类别,行政区划,预警联系人,预警联系人手机,场所特征\n"


def test_example_file_features_are_stored(shipped: App) -> None:
    with shipped.sessions() as session:
        jinci = session.scalar(select(Enterprise).where(Enterprise.code == "91140100EX0000001A"))
        assert jinci is not None and jinci.features == ("漂流", "玻璃栈道", "野外")


def test_an_unknown_feature_is_refused_naming_the_row(shipped: App, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(HEAD + "X1,甲景区,A级旅游景区,140106,赵,13900000111,漂流、蹦床\n", encoding="utf-8")
    with shipped.sessions.begin() as session, pytest.raises(DataError) as caught:
        import_enterprises(session, path, channels=set())
    assert "e.csv:2: 场所特征: unknown feature '蹦床'" in str(caught.value)
    with shipped.sessions() as session:
        assert session.scalar(select(Enterprise).where(Enterprise.code == "X1")) is None
