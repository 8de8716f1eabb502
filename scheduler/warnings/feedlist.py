"""What a feed's answer is: one CAP document, or a list of links to CAP documents.

- a CAP document: the root is ``<alert>`` in the CAP 1.2 namespace;
- an Atom feed: each ``<entry>``'s link (the one typed ``application/cap+xml`` if any, else its
  ``alternate`` link);
- an RSS 2.0 feed: each ``<item>``'s enclosure typed as CAP, else its ``<link>``;
- a directory listing: an HTML page, its ``<a href>`` ending ``.xml`` or ``.cap``.

XML is read with defusedxml (no entities, no DTDs).  Links are resolved against the feed's url
and only http/https links are kept, each once, in the order given.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
SUFFIXES = (".xml", ".cap")


class NotAFeed(ValueError):
    """The answer is none of the shapes above."""


@dataclass(frozen=True)
class Listing:
    kind: str  # "cap", "atom", "rss" or "directory"
    links: tuple[str, ...] = ()  # empty for "cap"


def read(body: bytes, content_type: str, base: str) -> Listing:
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        if _looks_html(body, content_type):
            return Listing("directory", _unique(base, _hrefs(body)))
        raise NotAFeed(f"not XML and not an HTML listing ({type(exc).__name__})") from None
    tag = root.tag
    if tag == f"{{{CAP_NS}}}alert":
        return Listing("cap")
    if tag == f"{{{ATOM_NS}}}feed":
        return Listing("atom", _unique(base, [h for e in root.iter(f"{{{ATOM_NS}}}entry") if (h := _atom_link(e))]))
    if tag == "rss":
        return Listing("rss", _unique(base, [h for i in root.iter("item") if (h := _rss_link(i))]))
    if tag.lower() in ("html", "{http://www.w3.org/1999/xhtml}html"):
        return Listing("directory", _unique(base, _hrefs(body)))
    raise NotAFeed(f"root element <{tag.rsplit('}', 1)[-1]}> is not a CAP alert, an Atom feed, RSS or HTML")


def _atom_link(entry: Element) -> str:
    links = entry.findall(f"{{{ATOM_NS}}}link")
    for link in links:
        if "cap" in (link.get("type") or "").lower() and link.get("href"):
            return link.get("href", "")
    for link in links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href", "")
    return ""


def _rss_link(item: Element) -> str:
    for enclosure in item.findall("enclosure"):
        if "cap" in (enclosure.get("type") or "").lower() and enclosure.get("url"):
            return enclosure.get("url", "")
    link = item.find("link")
    return (link.text or "").strip() if link is not None else ""


def _looks_html(body: bytes, content_type: str) -> bool:
    head = body[:512].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if urllib.parse.urlsplit(href).path.lower().endswith(SUFFIXES):
                self.hrefs.append(href)


def _hrefs(body: bytes) -> list[str]:
    parser = _Anchors()
    parser.feed(body.decode("utf-8", "replace"))
    return parser.hrefs


def _unique(base: str, hrefs: list[str]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for href in hrefs:
        url = urllib.parse.urljoin(base, href.strip())
        if urllib.parse.urlsplit(url).scheme in ("http", "https"):
            found.setdefault(url.split("#", 1)[0])
    return tuple(found)
