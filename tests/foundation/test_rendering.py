"""Templates are looked up once and kept; refresh() (before each dispatch pass) picks up edits."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2 import TemplateNotFound

from scheduler.rendering import Renderer

ZONE = ZoneInfo("Asia/Shanghai")


def write(folder: Path, name: str, text: str, mtime: int) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))


def test_an_edited_template_is_used_after_a_refresh_not_before(tmp_path: Path) -> None:
    write(tmp_path, "x/note.subject.j2", "旧标题", 1_700_000_000)
    write(tmp_path, "x/note.text.j2", "{{ body }}", 1_700_000_000)
    renderer = Renderer(ZONE, tmp_path)
    assert renderer.render("x/note", {"body": "正文"}).subject == "旧标题"
    write(tmp_path, "x/note.subject.j2", "新标题", 1_700_000_100)
    assert renderer.render("x/note", {"body": "正文"}).subject == "旧标题"
    renderer.refresh()
    assert renderer.render("x/note", {"body": "正文"}).subject == "新标题"


def test_an_added_optional_part_is_found_after_a_refresh(tmp_path: Path) -> None:
    write(tmp_path, "x/note.subject.j2", "标题", 1_700_000_000)
    write(tmp_path, "x/note.text.j2", "正文", 1_700_000_000)
    renderer = Renderer(ZONE, tmp_path)
    assert renderer.render("x/note", {}).html == ""
    write(tmp_path, "x/note.html.j2", "<p>正文</p>", 1_700_000_000)
    renderer.refresh()
    assert renderer.render("x/note", {}).html == "<p>正文</p>\n"


def test_a_missing_required_part_is_still_an_error(tmp_path: Path) -> None:
    write(tmp_path, "x/note.subject.j2", "标题", 1_700_000_000)
    with pytest.raises(TemplateNotFound):
        Renderer(ZONE, tmp_path).render("x/note", {})


def test_compiled_templates_are_reused_until_the_source_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    templates, compiled = tmp_path / "t", tmp_path / "compiled"
    write(templates, "x/note.subject.j2", "标题", 1_700_000_000)
    write(templates, "x/note.text.j2", "见[{{ body }}]", 1_700_000_000)
    first = Renderer(ZONE, templates, compiled).render("x/note", {"body": "<b>"})
    assert compiled.stat().st_mode & 0o077 == 0 and any(compiled.iterdir())

    from jinja2.sandbox import SandboxedEnvironment

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again although the source did not change")

    with monkeypatch.context() as m:
        m.setattr(SandboxedEnvironment, "compile", no_compiling)
        again = Renderer(ZONE, templates, compiled).render("x/note", {"body": "<b>"})
    # Each environment has its own compiled code: the Markdown stays inert, the text as written.
    assert again == first and again.text == "见[<b>]\n" and again.markdown == "见[＜b＞]\n"
    write(templates, "x/note.text.j2", "新的{{ body }}", 1_700_000_000)  # same mtime: the checksum tells
    assert Renderer(ZONE, templates, compiled).render("x/note", {"body": "正文"}).text == "新的正文\n"
