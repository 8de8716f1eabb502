"""The receipt link of a message, made at send time (the dispatcher's render step calls
``receipt_context``): ``[web] base_url`` + ``/r/<token>``.

Made from the outbox row alone — nothing secret is stored in a message's context, and a
re-render of the same row gives the same link. No link without a key or a public address.

The key is ``[receipts] key`` (from the environment in production) or, when that is empty, the
generated key file of ``scheduler.keys`` (``var/receipts-key.key``; refused on PostgreSQL,
where every replica must sign alike). ``prepare(loaded)`` resolves it once per process: the
App calls it before building the dispatcher, the web interface before serving links.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Protocol

from scheduler import keys
from scheduler.config import LoadedConfig
from scheduler.config.schema import Config
from scheduler.receipts import tokens
from scheduler.receipts.fields import report_form
from scheduler.receipts.policy import Ask, ask_of, needs_name

LINK_PATH = "/r/"
_KEYRINGS: dict[int, tuple[Config, tokens.Keyring | None]] = {}  # per Config object (frozen): built once


class Row(Protocol):
    """What the link needs of an outbox row (``OutboxMessage``; ``id`` is None before it is stored)."""

    @property
    def id(self) -> int | None: ...
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def recipient_key(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def context(self) -> Any: ...
    @property
    def due_at(self) -> dt.datetime: ...


KEY_NAME = "receipts.key"
log = logging.getLogger("safeduty.receipts")


def prepare(loaded: LoadedConfig) -> tokens.Keyring | None:
    """Resolve the signing keys of ``loaded``'s config once (a generated key file when none is
    configured); links are made with them from then on. None, logged, when there can be none."""
    config = loaded.config
    settings = config.receipts
    if not settings.kinds:
        return _remember(config, None)
    try:
        current = keys.secret(loaded, KEY_NAME, settings.key)
    except keys.MissingSecret as exc:
        log.error("no receipt links will be made: %s", exc)  # `safeduty check` reports it as a problem
        return _remember(config, None)
    return _remember(config, _ring(config, current))


def keyring(config: Config) -> tokens.Keyring | None:
    """The keys ``prepare`` resolved for ``config``; without it, the configured key (or None)."""
    cached = _KEYRINGS.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    return _remember(config, _ring(config, config.receipts.key) if config.receipts.key else None)


def _ring(config: Config, current: str) -> tokens.Keyring:
    settings = config.receipts
    until = None
    if settings.old_key and settings.old_key_until is not None:
        until = dt.datetime.combine(settings.old_key_until + dt.timedelta(days=1), dt.time(0),
                                    tzinfo=config.service.zone)
    return tokens.Keyring(current.encode(), settings.old_key.encode(), until)


def _remember(config: Config, ring: tokens.Keyring | None) -> tokens.Keyring | None:
    if len(_KEYRINGS) > 64:  # tests build many configs; a service one
        _KEYRINGS.clear()
    _KEYRINGS[id(config)] = (config, ring)
    return ring


def base_url(config: Config) -> str:
    """The public address links start with (``[web] base_url``), without a trailing slash."""
    return config.web.base_url.rstrip("/")


def ask_of_row(config: Config, row: Row) -> Ask | None:
    return ask_of(config, row.key, row.kind, row.recipient_key or "", row.topic or "", row.context or {},
                  row.due_at)


def receipt_context(config: Config, row: Row) -> dict[str, Any]:
    """What a template needs to show the link: ``receipt_url`` (and its mode and deadline), or
    nothing when the message asks for nothing or no link can be made."""
    if row.id is None:  # not an outbox row (simulate renders planned messages): nothing to link to
        return {}
    ask = ask_of_row(config, row)
    keys = keyring(config)
    root = base_url(config)
    if ask is None or keys is None or not root:
        return {}
    token = tokens.sign(keys, row.id, row.key, row.recipient_key or "", ask.expires)
    return {
        "receipt_url": f"{root}{LINK_PATH}{token}",
        "receipt_mode": ask.mode,
        "receipt_form": "zero" if ask.mode == "zero" else report_form(ask.kind) if ask.mode == "report" else "confirm",
        "receipt_expires": ask.expires.isoformat(),
        "receipt_names_person": needs_name(config, row.recipient_key or "", row.channel or ""),
    }
