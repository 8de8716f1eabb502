"""Mask secrets in text that leaves the process: log lines, tracebacks, stored errors, CLI errors.

Two nets, both applied to every log line (message and traceback, text and JSON):

- **known values**: every value the config read from the environment (``${NAME}``), every
  ``Secret`` field, and the secret-bearing parts of configured URLs (query values, userinfo,
  long path segments such as a Feishu hook id), also in their URL-encoded form;
- **patterns**, for a secret nobody told us about: query parameters named like credentials
  (``access_token``, ``key``, ``sign``, ``secret``, ``password`` …) and the userinfo of any URL.

``summary(exc)`` is what a stored error may say about an exception: its kind, plus its message
only when the exception is not a request error (which quote the URL, and the URL holds the token).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable

MASK = "***"
MIN_SECRET = 4  # shorter values ("1", "on") would mask half of every line
SUMMARY_CHARS = 200

_PARAMS = ("access_token", "token", "key", "sign", "signature", "secret", "password", "passwd", "pwd",
           "api_key", "apikey", "auth", "authorization", "hook", "ticket", "code_verifier")
_QUERY = re.compile(r"(?i)([?&;](?:{})=)[^&#;,\s'\"<>\\]+".format("|".join(_PARAMS)))
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@'\"<>]+@")
_HOOK_PATH = re.compile(r"(/hook/)[A-Za-z0-9_\-]{8,}")
_TOKEN_SEGMENT = re.compile(r"^[A-Za-z0-9_\-]{16,}$")
# Exceptions whose text quotes the request (URL, headers): only their kind is ever stored.
_REQUEST_MODULES = ("requests", "urllib3", "http.client")


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values: set[str] = set()
        for secret in secrets:
            if len(secret) >= MIN_SECRET:
                values.add(secret)
                values.update(v for v in _url_parts(secret) if len(v) >= MIN_SECRET)
        for value in list(values):
            quoted = urllib.parse.quote(value, safe="")
            if quoted != value:
                values.add(quoted)
        self.secrets = tuple(sorted(values, key=len, reverse=True))
        self._known = re.compile("|".join(map(re.escape, self.secrets))) if self.secrets else None

    def __call__(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(MASK, text)
        return mask_patterns(text)


def mask_patterns(text: str) -> str:
    """Mask what looks like a credential in a URL, known or not."""
    if "=" in text:
        text = _QUERY.sub(lambda m: m[1] + MASK, text)
    if "://" in text:
        text = _USERINFO.sub(lambda m: m[1] + MASK + "@", text)
    if "/hook/" in text:
        text = _HOOK_PATH.sub(lambda m: m[1] + MASK, text)
    return text


def _url_parts(value: str) -> list[str]:
    """The parts of a URL that hold credentials: query values, user and password, token-like
    path segments (a Feishu hook id). Empty for anything that is not a URL."""
    if "://" not in value:
        return []
    try:
        parts = urllib.parse.urlsplit(value.strip())
    except ValueError:
        return []
    found = [v for _, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=False)]
    found += [p for p in (parts.username, parts.password) if p]
    found += [s for s in parts.path.split("/") if _TOKEN_SEGMENT.match(s)]
    return found


# The process's redactor, set by ``install`` when logging is set up (like logging's own config,
# it is process-wide): stored errors and CLI errors use it too.
_active = Redactor()


def install(secrets: Iterable[str]) -> Redactor:
    global _active
    _active = Redactor(secrets)
    return _active


def redact(text: str) -> str:
    return _active(text)


def summary(exc: BaseException) -> str:
    """What may be stored or shown about ``exc``: its kind and safe fields, never the text of a
    request error; anything else is redacted and cut to its first line."""
    name = type(exc).__name__
    module = type(exc).__module__
    if module in _REQUEST_MODULES or module.split(".")[0] in _REQUEST_MODULES:
        return name
    text = redact(str(exc)).strip().partition("\n")[0]
    if len(text) > SUMMARY_CHARS:
        text = text[: SUMMARY_CHARS - 1] + "…"
    return f"{name}: {text}" if text else name
