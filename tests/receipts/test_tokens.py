from __future__ import annotations

import datetime as dt

import pytest

from scheduler.receipts.tokens import Keyring, TokenError, Verdict, _b36, parse, sign, verify

NOW = dt.datetime(2026, 2, 1, 1, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=20)
KEY = b"k" * 32
KEYS = Keyring(KEY)
MESSAGE = "preholiday:2026-02-15:T-14:enterprise:91140100EX0000001A:principal"
RECIPIENT = "enterprise:91140100EX0000001A:principal"


def test_a_token_is_short_and_verifies_for_its_own_row_until_it_expires() -> None:
    token = sign(KEYS, 4217, MESSAGE, RECIPIENT, LATER)
    assert len(token) < 40
    claims = verify(KEYS, token, MESSAGE, RECIPIENT, NOW)
    assert claims.message_id == 4217
    assert claims.expires == LATER.replace(microsecond=0)


def test_a_token_for_another_message_or_recipient_is_forged() -> None:
    token = sign(KEYS, 4217, MESSAGE, RECIPIENT, LATER)
    for key, recipient in ((MESSAGE + "x", RECIPIENT), (MESSAGE, "enterprise:91140100EX0000001A:safety_manager")):
        with pytest.raises(TokenError) as caught:
            verify(KEYS, token, key, recipient, NOW)
        assert caught.value.verdict is Verdict.FORGED


def test_changing_any_character_of_a_token_forges_it() -> None:
    token = sign(KEYS, 4217, MESSAGE, RECIPIENT, LATER)
    for index, char in enumerate(token):
        if char == ".":
            continue
        changed = token[:index] + ("a" if char != "a" else "b") + token[index + 1:]
        with pytest.raises(TokenError) as caught:
            verify(KEYS, changed, MESSAGE, RECIPIENT, NOW)
        assert caught.value.verdict in (Verdict.FORGED, Verdict.MALFORMED)


def test_a_later_expiry_written_into_the_token_does_not_verify() -> None:
    token = sign(KEYS, 4217, MESSAGE, RECIPIENT, NOW + dt.timedelta(hours=1))
    row, _, signature = token.split(".")
    stretched = f"{row}.{_b36(int(LATER.timestamp()))}.{signature}"
    with pytest.raises(TokenError):
        verify(KEYS, stretched, MESSAGE, RECIPIENT, NOW)


def test_an_expired_token_says_expired_only_when_it_is_genuine() -> None:
    token = sign(KEYS, 4217, MESSAGE, RECIPIENT, NOW + dt.timedelta(hours=1))
    with pytest.raises(TokenError) as caught:
        verify(KEYS, token, MESSAGE, RECIPIENT, NOW + dt.timedelta(hours=2))
    assert caught.value.verdict is Verdict.EXPIRED
    with pytest.raises(TokenError) as caught:
        verify(Keyring(b"o" * 32), token, MESSAGE, RECIPIENT, NOW + dt.timedelta(hours=2))
    assert caught.value.verdict is Verdict.FORGED


def test_the_old_key_is_accepted_until_its_last_day_then_refused() -> None:
    token = sign(Keyring(b"o" * 32), 4217, MESSAGE, RECIPIENT, LATER)
    rotated = Keyring(KEY, b"o" * 32, NOW + dt.timedelta(days=1))
    assert verify(rotated, token, MESSAGE, RECIPIENT, NOW).message_id == 4217
    with pytest.raises(TokenError) as caught:
        verify(rotated, token, MESSAGE, RECIPIENT, NOW + dt.timedelta(days=1))
    assert caught.value.verdict is Verdict.FORGED
    # New links are signed with the new key only.
    assert verify(Keyring(KEY), sign(rotated, 1, MESSAGE, RECIPIENT, LATER), MESSAGE, RECIPIENT, NOW)


@pytest.mark.parametrize("junk", ["", "abc", "1.2", "1.2.short", "../../etc/passwd", "1.2." + "A" * 23,
                                  "ZZ.2." + "A" * 22, "1" * 20 + ".2." + "A" * 22, "1.zzzzzzzzzz." + "A" * 22])
def test_junk_is_malformed(junk: str) -> None:
    with pytest.raises(TokenError) as caught:
        parse(junk)
    assert caught.value.verdict is Verdict.MALFORMED


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        Keyring(b"short")
