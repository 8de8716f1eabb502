"""Parse and check a CAP 1.2 document (OASIS CAP-v1.2, GB/T 35965.1-2018 profile) into ``Alert``.

Untrusted input: the document is read with ``defusedxml`` (no DTD, no entity declarations, no
external references — so XXE and "billion laughs" are refused before any expansion), after a
size check (``[warnings] max_bytes``).  Every error is a ``CapError`` naming the file and the
element, e.g. ``tyrb.xml: info/severity: 'Awful' is not a CAP severity``.

What is checked (wave2.md §C):

- the six required ``alert`` elements and their value sets; ``info`` required elements;
- the identifier in one of the two Chinese forms: ``ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N``
  (31 characters, the standard) or without the ``_N`` serial (29 characters, as the CMA sends);
- ``references`` as ``sender,identifier,sent`` triples (Update and Cancel must have one);
- the level: the colour (红/橙/黄/蓝, or RED/ORANGE/YELLOW/BLUE) in the event or headline, else
  the severity (Extreme→红, Severe→橙, Moderate→黄, Minor→蓝); numeric codes are never used;
- the event name normalised to the short form (暴雨, 山洪, 地质灾害 …); an unknown event is refused;
- geocodes 6 or 12 digits; ``expires`` defaults to onset (or sent) + 24 h when missing.
"""

from __future__ import annotations

import datetime as dt
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from scheduler.warnings.model import LEVELS, Alert, Area, Info, Level, Reference

NS = "urn:oasis:names:tc:emergency:cap:1.2"
DEFAULT_MAX_BYTES = 1_000_000

STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES = ("Public", "Restricted", "Private")
CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
              "CBRNE", "Other")
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")

SEVERITY_LEVEL: dict[str, Level] = {"Extreme": "红", "Severe": "橙", "Moderate": "黄", "Minor": "蓝"}
LEVEL_SEVERITY: dict[str, str] = {v: k for k, v in SEVERITY_LEVEL.items()}
COLOUR_WORDS: dict[str, Level] = {"RED": "红", "ORANGE": "橙", "YELLOW": "黄", "BLUE": "蓝"}
# "暴雨红色预警", "红色暴雨预警", "updates blue warning" — a colour word next to 色/预警/warning.
_COLOUR_ZH = re.compile(r"([红橙黄蓝])色")
_COLOUR_EN = re.compile(r"\b(red|orange|yellow|blue)\b", re.IGNORECASE)

# Normalised event names; each with the spellings that mean it (longest match wins).
EVENTS: dict[str, tuple[str, ...]] = {
    "暴雨": ("暴雨", "rainstorm", "heavy rain"),
    "山洪": ("山洪", "flash flood"),
    "地质灾害": ("地质灾害", "geological hazard", "geological disaster", "landslide"),
    "高温": ("高温", "high temperature", "heat wave"),
    "大风": ("大风", "gale", "strong wind"),
    "雷电": ("雷电", "雷暴", "lightning", "thunder"),
    "雷雨大风": ("雷雨大风", "thunderstorm gale"),
    "暴雪": ("暴雪", "snowstorm", "blizzard"),
    "寒潮": ("寒潮", "cold wave"),
    "大雾": ("大雾", "heavy fog", "fog"),
    "冰雹": ("冰雹", "hail"),
    "道路结冰": ("道路结冰", "road icing"),
    "霜冻": ("霜冻", "frost"),
    "干旱": ("干旱", "drought"),
    "沙尘暴": ("沙尘暴", "sandstorm", "dust storm"),
    "霾": ("霾", "haze"),
    "台风": ("台风", "typhoon"),
    "森林火险": ("森林火险", "森林草原火险", "forest fire"),
}

IDENTIFIER_FORMS = (
    re.compile(r"^(\d{6})(\d{3})(\d{3})(\d{2})_(\d{14})_(\d)$"),  # 31 characters: the standard
    re.compile(r"^(\d{6})(\d{3})(\d{3})(\d{2})_(\d{14})$"),  # 29 characters: as the CMA sends it
)
_GEOCODE = re.compile(r"^(\d{6}|\d{12})$")


class CapError(ValueError):
    """A document refused: ``file: element: reason``."""

    def __init__(self, file: str, element: str, reason: str) -> None:
        self.file, self.element, self.reason = file, element, reason
        super().__init__(f"{file}: {element}: {reason}" if element else f"{file}: {reason}")


def normalise_event(text: str) -> str | None:
    """The short event name in ``text`` (暴雨红色预警 → 暴雨, Flash flood events → 山洪), or None."""
    low = text.lower()
    best: tuple[int, str] | None = None
    for name, spellings in EVENTS.items():
        for s in spellings:
            if s.lower() in low and (best is None or len(s) > best[0]):
                best = (len(s), name)
    return best[1] if best else None


def colour_level(*texts: str) -> Level | None:
    """The level named by a colour in any of ``texts`` (the first that names one)."""
    for text in texts:
        m = _COLOUR_ZH.search(text)
        if m:
            return m.group(1)  # type: ignore[return-value]
        m = _COLOUR_EN.search(text)
        if m:
            return COLOUR_WORDS[m.group(1).upper()]
    return None


def check_identifier(identifier: str) -> bool:
    """Whether ``identifier`` is in one of the two Chinese profile forms with a real entry time."""
    for form in IDENTIFIER_FORMS:
        m = form.match(identifier)
        if m:
            try:
                dt.datetime.strptime(m.group(5), "%Y%m%d%H%M%S")
            except ValueError:
                return False
            return True
    return False


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def err(self, element: str, reason: str) -> CapError:
        return CapError(self.file, element, reason)

    def text(self, parent: Element, tag: str, path: str, *, required: bool) -> str:
        el = parent.find(f"{{{NS}}}{tag}")
        value = (el.text or "").strip() if el is not None else ""
        if required and not value:
            raise self.err(f"{path}{tag}", "required element missing or empty")
        return value

    def choice(self, parent: Element, tag: str, path: str, allowed: tuple[str, ...]) -> str:
        value = self.text(parent, tag, path, required=True)
        if value not in allowed:
            raise self.err(f"{path}{tag}", f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def time(self, parent: Element, tag: str, path: str, *, required: bool) -> dt.datetime | None:
        value = self.text(parent, tag, path, required=required)
        if not value:
            return None
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.err(f"{path}{tag}", f"{value!r} is not a CAP date-time (2026-07-20T16:00:00+08:00)") from None
        if when.tzinfo is None:
            raise self.err(f"{path}{tag}", f"{value!r} has no UTC offset")
        return when


def parse(data: bytes | str, *, file: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Alert:
    """Parse and check one CAP document; raise ``CapError`` naming ``file`` and the element."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise CapError(file, "", f"{len(raw)} bytes, over the limit of {max_bytes} ([warnings] max_bytes)")
    r = _Reader(file)
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise CapError(file, "", f"refused: {type(exc).__name__} (DTDs, entities and external "
                                 "references are not allowed)") from None
    except ParseError as exc:
        raise CapError(file, "", f"not well-formed XML ({exc})") from None
    if root.tag != f"{{{NS}}}alert":
        raise r.err(root.tag.split("}")[-1], f"the root must be <alert xmlns=\"{NS}\">")

    identifier = r.text(root, "identifier", "alert/", required=True)
    if not check_identifier(identifier):
        raise r.err("alert/identifier", f"{identifier!r} is not in the GB/T 35965.1 form "
                    "ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N (or without _N)")
    sender = r.text(root, "sender", "alert/", required=True)
    sent = r.time(root, "sent", "alert/", required=True)
    assert sent is not None
    status = r.choice(root, "status", "alert/", STATUSES)
    msg_type = r.choice(root, "msgType", "alert/", MSG_TYPES)
    scope = r.choice(root, "scope", "alert/", SCOPES)
    note = r.text(root, "note", "alert/", required=False)
    references = _references(r, r.text(root, "references", "alert/", required=False))
    if msg_type in ("Update", "Cancel") and not references:
        raise r.err("alert/references", f"a {msg_type} must name the alert it follows")

    infos: list[tuple[str, Info]] = []
    for n, el in enumerate(root.findall(f"{{{NS}}}info"), start=1):
        infos.append((r.text(el, "language", "", required=False) or "en-US",
                      _info(r, el, f"alert/info[{n}]/", sent)))
    if not infos and msg_type in ("Alert", "Update"):
        raise r.err("alert/info", f"an {msg_type} needs at least one info block")
    # The Chinese block first: the relay words its messages from infos[0].
    infos.sort(key=lambda li: 0 if li[0].lower().startswith("zh") else 1)
    return Alert(identifier=identifier, sender=sender, sent=sent, status=status,  # type: ignore[arg-type]
                 msg_type=msg_type, scope=scope, references=references,  # type: ignore[arg-type]
                 infos=tuple(i for _, i in infos), note=note)


def _references(r: _Reader, text: str) -> tuple[Reference, ...]:
    out = []
    for triple in text.split():
        parts = triple.split(",")
        if len(parts) != 3 or not all(parts):
            raise r.err("alert/references", f"{triple!r} is not sender,identifier,sent")
        try:
            sent = dt.datetime.fromisoformat(parts[2])
        except ValueError:
            raise r.err("alert/references", f"{parts[2]!r} is not a CAP date-time") from None
        if sent.tzinfo is None:
            raise r.err("alert/references", f"{parts[2]!r} has no UTC offset")
        out.append(Reference(sender=parts[0], identifier=parts[1], sent=sent))
    return tuple(out)


def _info(r: _Reader, el: Element, path: str, sent: dt.datetime) -> Info:
    categories = [(c.text or "").strip() for c in el.findall(f"{{{NS}}}category")]
    if not categories:
        raise r.err(f"{path}category", "required element missing or empty")
    for c in categories:
        if c not in CATEGORIES:
            raise r.err(f"{path}category", f"{c!r} is not one of {', '.join(CATEGORIES)}")
    event_text = r.text(el, "event", path, required=True)
    urgency = r.choice(el, "urgency", path, URGENCIES)
    severity_text = r.text(el, "severity", path, required=True)
    certainty = r.choice(el, "certainty", path, CERTAINTIES)
    headline = r.text(el, "headline", path, required=False)
    event = normalise_event(event_text) or normalise_event(headline)
    if event is None:
        raise r.err(f"{path}event", f"{event_text!r} is not a warning type we know "
                    f"({'、'.join(EVENTS)})")
    # Level: a colour in the event or headline, else the severity (words or colours accepted).
    level = colour_level(event_text, headline)
    if severity_text in SEVERITY_LEVEL:
        severity = severity_text
        level = level or SEVERITY_LEVEL[severity_text]
    elif severity_text.upper() in COLOUR_WORDS or severity_text in LEVELS:
        sev_level = COLOUR_WORDS.get(severity_text.upper()) or severity_text
        level = level or sev_level  # type: ignore[assignment]
        severity = LEVEL_SEVERITY[sev_level]
    elif severity_text == "Unknown":
        severity = severity_text
    else:
        raise r.err(f"{path}severity", f"{severity_text!r} is not a CAP severity ({', '.join(SEVERITIES)}) "
                    "or a colour")
    if level is None:
        raise r.err(f"{path}severity", "no level: no colour (红/橙/黄/蓝) in the event or headline and "
                    f"severity is {severity_text!r}")
    onset = r.time(el, "onset", path, required=False) or r.time(el, "effective", path, required=False)
    expires = r.time(el, "expires", path, required=False)
    if expires is None:
        expires = (onset or sent) + dt.timedelta(hours=24)
    if onset is not None and expires <= onset:
        raise r.err(f"{path}expires", "expires is not after onset")
    areas = []
    for n, a in enumerate(el.findall(f"{{{NS}}}area"), start=1):
        apath = f"{path}area[{n}]/"
        desc = r.text(a, "areaDesc", apath, required=True)
        codes = []
        for g in a.findall(f"{{{NS}}}geocode"):
            value = r.text(g, "value", f"{apath}geocode/", required=True)
            if not _GEOCODE.match(value):
                raise r.err(f"{apath}geocode/value", f"{value!r} is not a 6- or 12-digit 行政区划 code")
            codes.append(value)
        areas.append(Area(desc=desc, geocodes=tuple(codes)))
    return Info(event=event, level=level, severity=severity, urgency=urgency, certainty=certainty,
                onset=onset, expires=expires, sender_name=r.text(el, "senderName", path, required=False),
                headline=headline, description=r.text(el, "description", path, required=False),
                instruction=r.text(el, "instruction", path, required=False), areas=tuple(areas))
