"""Data values cannot make links, remote images or HTML in the bots' Markdown: only template text can."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.channels.dingtalk import DingtalkChannel
from scheduler.config.channels import DingtalkChannelConfig
from scheduler.config.typed import Secret
from scheduler.rendering import BUILTIN_TEMPLATES, Renderer
from tests.support.bots import DingtalkBot
from tests.support.delivery import rendered

ZONE = ZoneInfo("Asia/Shanghai")
EVIL = '[点击领取补贴](http://evil.example/x) ![](http://evil.example/track.png) <script>alert(1)</script> <font color="info">'
BASE = {"bureau": "山西省文化和旅游厅", "office": "安全办", "recipient_name": "张三", "ref": "A1B2C3",
        "due_at": dt.datetime(2026, 3, 2, tzinfo=dt.UTC).isoformat(), "late": False}


def sample(kind: str) -> dict[str, object]:
    return {**BASE, **json.loads((BUILTIN_TEMPLATES / f"{kind}.sample.json").read_text(encoding="utf-8"))}


def acts(markdown: str) -> list[str]:
    """What in ``markdown`` a chat client would act on: a link or image, an HTML tag."""
    return [marker for marker in ("](http", "<script", "<font", "![") if marker in markdown]


def test_a_markdown_template_shows_data_but_data_makes_no_link_image_or_tag() -> None:
    context = copy.deepcopy(sample("hazard/digest"))
    context["enterprises"][0]["name"] = EVIL  # type: ignore[index]
    context["enterprises"][0]["hazards"][0]["title"] = EVIL  # type: ignore[index]
    parts = Renderer(ZONE).render("hazard/digest", context)
    assert acts(parts.markdown) == []
    assert "［点击领取补贴］(http://evil.example/x)" in parts.markdown  # still readable
    assert "**[重大]**" in parts.markdown  # the template's own Markdown is untouched
    assert EVIL in parts.text and EVIL in parts.html.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')


def test_a_kind_without_a_markdown_template_sends_its_text_with_the_data_made_inert() -> None:
    context = sample("hazard/overdue")
    context = json.loads(json.dumps(context, ensure_ascii=False).replace("游客中心消防通道被占用", EVIL.replace('"', "'")))
    parts = Renderer(ZONE).render("hazard/overdue", context)
    assert "evil.example" in parts.text and acts(parts.text)  # the plain text keeps the value as written
    assert acts(parts.markdown) == [] and "［点击领取补贴］" in parts.markdown


@pytest.mark.parametrize("kind", ["admin/digest", "admin/unhealthy", "delivery/merged", "duty/today", "hazard/digest"])
def test_every_markdown_template_makes_every_string_of_its_data_inert(kind: str) -> None:
    def poison(value: object) -> object:
        if isinstance(value, str) and not value[:4].isdigit() and value not in ("dead", "expired", "major", "general"):
            return value + EVIL
        if isinstance(value, dict):
            return {k: v if k in ("status", "level", "date", "start", "end", "since", "day", "due_at") else poison(v)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [poison(v) for v in value]
        return value

    context = {**BASE, **poison(json.loads((BUILTIN_TEMPLATES / f"{kind}.sample.json").read_text(encoding="utf-8")))}
    markdown = Renderer(ZONE).render(kind, context).markdown  # type: ignore[arg-type]
    assert "evil.example" in markdown and acts(markdown) == []


def test_links_written_in_the_template_itself_stay_links(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x/note.subject.j2").write_text("标题", encoding="utf-8")
    (tmp_path / "x/note.text.j2").write_text("{{ body }}", encoding="utf-8")
    (tmp_path / "x/note.md.j2").write_text("[填报指南](https://wlt.example.gov.cn/guide) {{ body }}", encoding="utf-8")
    markdown = Renderer(ZONE, tmp_path).render("x/note", {"body": EVIL}).markdown
    assert markdown.startswith("[填报指南](https://wlt.example.gov.cn/guide) ［点击领取补贴］")


def test_the_dingtalk_robot_receives_no_link_made_by_data() -> None:
    context = copy.deepcopy(sample("hazard/digest"))
    context["enterprises"][0]["name"] = EVIL  # type: ignore[index]
    parts = Renderer(ZONE).render("hazard/digest", context)
    with DingtalkBot() as bot:
        channel = DingtalkChannel("duty", DingtalkChannelConfig(url=Secret(bot.url)))
        channel.send(rendered(subject=parts.subject, text=parts.text, markdown=parts.markdown))
        channel.close()
        sent = bot.messages[0]["markdown"]["text"]
    assert "evil.example" in sent and acts(sent) == []
