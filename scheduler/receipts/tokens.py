"""Signed receipt tokens: short, unguessable, bound to one message, one recipient and an expiry.

A token is ``<outbox id>.<expiry>.<signature>`` (ids and the expiry in base 36, the signature
128 bits of HMAC-SHA256 in base64url), about 35 characters, so a link fits a phone screen and
a chat message. The signature covers the row id *and* the message key and recipient the row
holds, and the expiry: the verifier reloads the row and recomputes it, so a token can be
neither forged, moved to another message or recipient, nor extended.

Keys rotate: tokens are signed with the current key; the old key is still accepted until its
last day (links already sent keep working through a rotation).
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

SIGNATURE_BYTES = 16  # 128 bits
_TOKEN = re.compile(r"^([0-9a-z]{1,13})\.([0-9a-z]{1,13})\.([A-Za-z0-9_-]{22})$")


@dataclass(frozen=True)
class Keyring:
    """The current signing key, and an old one accepted until ``old_until`` (exclusive, UTC)."""

    current: bytes
    old: bytes = b""
    old_until: dt.datetime | None = None

    def __post_init__(self) -> None:
        if len(self.current) < 16:
            raise ValueError("a receipt key must be at least 16 bytes")

    def accepted(self, now: dt.datetime) -> Sequence[bytes]:
        if self.old and self.old_until is not None and now < self.old_until:
            return (self.current, self.old)
        return (self.current,)


@dataclass(frozen=True)
class Claims:
    """What a token says: the outbox row it was made for, and until when it is valid."""

    message_id: int
    expires: dt.datetime


class Verdict(enum.Enum):
    MALFORMED = "malformed"  # not a token at all → 403 (say nothing more)
    FORGED = "forged"  # well-formed, but no accepted key signed it for this row → 403
    EXPIRED = "expired"  # genuine, past its expiry → 410


class TokenError(Exception):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.value)
        self.verdict = verdict


def sign(keys: Keyring, message_id: int, message_key: str, recipient_key: str, expires: dt.datetime) -> str:
    stamp = int(expires.timestamp())
    signature = _signature(keys.current, message_id, message_key, recipient_key, stamp)
    return f"{_b36(message_id)}.{_b36(stamp)}.{signature}"


def parse(token: str) -> Claims:
    """The claims of a well-formed token, not yet verified (it names the row to load)."""
    match = _TOKEN.match(token)
    if match is None:
        raise TokenError(Verdict.MALFORMED)
    try:
        expires = dt.datetime.fromtimestamp(int(match[2], 36), dt.UTC)
    except (OverflowError, OSError, ValueError):  # a year past 9999
        raise TokenError(Verdict.MALFORMED) from None
    return Claims(int(match[1], 36), expires)


def verify(keys: Keyring, token: str, message_key: str, recipient_key: str, now: dt.datetime) -> Claims:
    """The token's claims if one of the accepted keys signed it for this row; raises TokenError.

    The signature is checked before the expiry, so an expired page is only ever shown for a
    genuine link (a forger learns nothing about which rows exist)."""
    claims = parse(token)
    given = token.rsplit(".", 1)[1]
    stamp = int(claims.expires.timestamp())
    if not any(hmac.compare_digest(given, _signature(key, claims.message_id, message_key, recipient_key, stamp))
               for key in keys.accepted(now)):
        raise TokenError(Verdict.FORGED)
    if now >= claims.expires:
        raise TokenError(Verdict.EXPIRED)
    return claims


def _signature(key: bytes, message_id: int, message_key: str, recipient_key: str, stamp: int) -> str:
    # "\x1f" cannot occur in keys: the fields cannot be shifted into one another.
    text = "\x1f".join(("receipt/1", str(message_id), message_key, recipient_key, str(stamp)))
    digest = hmac.new(key, text.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _b36(number: int) -> str:
    if number < 0:
        raise ValueError("negative")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


# The per-form nonce of a link's page: the POST must carry the nonce its GET rendered, so the
# form cannot be posted blind (from another site, or by a tool that never showed it to anyone).
NONCE_AGE = dt.timedelta(hours=12)


def form_nonce(keys: Keyring, token: str, now: dt.datetime) -> str:
    stamp = int(now.timestamp())
    return f"{_b36(stamp)}.{_nonce_signature(keys.current, token, stamp)}"


def nonce_ok(keys: Keyring, token: str, nonce: str, now: dt.datetime) -> bool:
    """Whether ``nonce`` was rendered for ``token`` by one of the accepted keys, within NONCE_AGE."""
    stamp_text, _, given = nonce.partition(".")
    if not re.fullmatch(r"[0-9a-z]{1,13}", stamp_text) or not re.fullmatch(r"[A-Za-z0-9_-]{22}", given):
        return False
    stamp = int(stamp_text, 36)
    age = now.timestamp() - stamp
    if not 0 <= age <= NONCE_AGE.total_seconds():
        return False
    return any(hmac.compare_digest(given, _nonce_signature(key, token, stamp)) for key in keys.accepted(now))


def _nonce_signature(key: bytes, token: str, stamp: int) -> str:
    text = "\x1f".join(("receipt-form/1", token, str(stamp)))
    digest = hmac.new(key, text.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
