"""One Jinja2 environment over templates/ (a user's folder overrides it file by file).

Each message kind ``K`` has ``K.subject.j2`` and ``K.text.j2``, and optionally ``K.html.j2``
(e-mail, autoescaped) and ``K.md.j2`` (chat bots; the text body is used when it is missing).
Templates run sandboxed with StrictUndefined: a misspelt variable is an error at `check`, not
an empty hole in a message someone reads on a phone.

Templates are looked up once and kept: a long-running service calls ``refresh()`` before each
dispatch pass, which picks up edited templates (one stat per loaded template) and added ones. Jinja's
own auto-reload would stat every template, import and include on every message, and a kind
without an HTML or Markdown part would be searched for on disk again each time.

Compiling the hundred-odd templates takes about 0.4 s, most of `safeduty check`. Given a folder
(the state folder's ``templates-compiled/``, 0700 like the rest of it), the compiled code is
kept there and reused while a template's source is unchanged (Jinja compares a checksum of
the source); an edited template is compiled again.
"""

from __future__ import annotations

import datetime as dt
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment

from scheduler.files import private_folder

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_WEEKDAYS = "一二三四五六日"
# In Markdown, data may show but not act: no link, no image, no HTML (<font>, <@user>, <script>).
_MARKDOWN_ACTIVE = "[]<>"
_MARKDOWN_INERT = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞"})


def inert_markdown(value: Any) -> Any:
    """A data value as a chat bot's Markdown shows it without acting on it.

    Brackets and angle brackets become their full-width forms: ``[点击](http://…)`` can no
    longer make a link, ``![](…)`` a remote image, ``<font>``/``<@id>``/``<script>`` a tag. Full-width
    forms read naturally in Chinese text and do not depend on a vendor's support for backslash
    escapes (which DingTalk and WeCom do not document). Idempotent, so a macro's output that
    passes through twice is unchanged. Applied to every ``{{ value }}`` of Markdown templates.
    """
    return value.translate(_MARKDOWN_INERT) if isinstance(value, str) else value


def _compiled_cache(folder: Path | None, flavour: str, options: dict[str, Any]) -> FileSystemBytecodeCache | None:
    """Where one environment keeps its compiled templates. Jinja keys them by template file and
    source only, so each environment (HTML-escaping, inert Markdown) and each set of options
    gets files of its own: the same source compiles to different code in each."""
    if folder is None:
        return None
    try:
        private_folder(folder)
    except OSError:
        return None  # a read-only install: compiled each time, as without a folder
    if not os.access(folder, os.W_OK):
        return None
    settings = "".join(f"{k}={v}" for k, v in sorted(options.items()) if k != "loader")
    tag = f"{flavour}-{zlib.crc32(settings.encode()):08x}"
    return FileSystemBytecodeCache(str(folder), f"{tag}-%s.cache")


class _Environment(SandboxedEnvironment):
    """Each template's globals as one plain dict, made when the template is loaded. Jinja's
    default, a ChainMap over the environment's globals, is copied key by key into the context
    of every render and include: about a fifth of rendering a message. Globals are set before
    templates load: ``Renderer.set_global`` drops those loaded already."""

    def make_globals(self, d: Mapping[str, Any] | None) -> Any:
        return {**self.globals, **(d or {})}


@dataclass(frozen=True)
class RenderedParts:
    subject: str
    text: str
    html: str
    markdown: str


class Renderer:
    def __init__(self, zone: ZoneInfo, override: Path | None = None, compiled: Path | None = None) -> None:
        loaders = [FileSystemLoader(str(override))] if override else []
        loaders.append(FileSystemLoader(str(BUILTIN_TEMPLATES)))
        self.zone = zone
        options: dict[str, Any] = dict(loader=ChoiceLoader(loaders), undefined=StrictUndefined, trim_blocks=True,
                                       lstrip_blocks=True, keep_trailing_newline=False, auto_reload=False)
        self.env = _Environment(
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            bytecode_cache=_compiled_cache(compiled, "text", options), **options
        )
        # Markdown for the chat bots: every interpolated value is made inert, as HTML autoescapes;
        # only the template's own text makes links (the same templates, a second environment).
        self.markdown_env = _Environment(autoescape=False, finalize=inert_markdown,
                                         bytecode_cache=_compiled_cache(compiled, "md", options), **options)
        self._found: dict[tuple[bool, str], Template | None] = {}  # (markdown?, name) -> template or None
        filters = dict(cn_date=self.cn_date, cn_datetime=self.cn_datetime, cn_time=self.cn_time,
                       weekday=self.weekday)
        self.env.filters.update(filters)
        self.markdown_env.filters.update(filters)

    def kinds(self) -> list[str]:
        """Every message kind that has a subject template."""
        suffix = ".subject.j2"
        return sorted({t[: -len(suffix)] for t in self.env.list_templates() if t.endswith(suffix)})

    def set_global(self, name: str, value: Any) -> None:
        """A variable every template sees (in both environments), whatever was loaded before."""
        for env in (self.env, self.markdown_env):
            env.globals[name] = value
            env.cache.clear()  # type: ignore[union-attr]
        self._found.clear()

    def refresh(self) -> None:
        """Forget what was looked up; drop every loaded template if one changed on disk."""
        for env in (self.env, self.markdown_env):
            if not all(template.is_up_to_date for template in list(env.cache.values())):  # type: ignore[union-attr]
                env.cache.clear()  # type: ignore[union-attr]
        self._found.clear()

    def render(self, kind: str, context: Mapping[str, Any]) -> RenderedParts:
        text = self._render(f"{kind}.text.j2", context)
        markdown = self._optional(f"{kind}.md.j2", context, markdown=True)
        if not markdown:
            # The text body stands in for Markdown; rendered again with inert values only when
            # something in it could act (most texts have no bracket at all).
            active = any(c in text for c in _MARKDOWN_ACTIVE)
            markdown = self._render(f"{kind}.text.j2", context, markdown=True) if active else text
        return RenderedParts(
            subject=" ".join(self._render(f"{kind}.subject.j2", context).split()),
            text=text,
            html=self._optional(f"{kind}.html.j2", context),
            markdown=markdown,
        )

    def _render(self, name: str, context: Mapping[str, Any], *, markdown: bool = False) -> str:
        template = self._template(name, markdown)
        if template is None:
            raise TemplateNotFound(name)
        return template.render(context).strip() + "\n"

    def _optional(self, name: str, context: Mapping[str, Any], *, markdown: bool = False) -> str:
        template = self._template(name, markdown)
        return "" if template is None else template.render(context).strip() + "\n"

    def _template(self, name: str, markdown: bool = False) -> Template | None:
        found = (markdown, name)
        if found not in self._found:
            try:
                self._found[found] = (self.markdown_env if markdown else self.env).get_template(name)
            except TemplateNotFound:
                self._found[found] = None
        return self._found[found]

    # Filters: dates and times as people in the bureau write them.

    def _local(self, value: str | dt.date | dt.datetime) -> dt.date | dt.datetime:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(self.zone)
        return value

    def cn_date(self, value: str | dt.date | dt.datetime) -> str:
        d = self._local(value)
        return f"{d.year}年{d.month}月{d.day}日"

    def cn_time(self, value: str | dt.datetime) -> str:
        d = self._local(value)
        assert isinstance(d, dt.datetime)
        return f"{d.hour:02d}:{d.minute:02d}"

    def cn_datetime(self, value: str | dt.datetime) -> str:
        return f"{self.cn_date(value)} {self.cn_time(value)}"

    def weekday(self, value: str | dt.date | dt.datetime) -> str:
        return "星期" + _WEEKDAYS[self._local(value).weekday()]
