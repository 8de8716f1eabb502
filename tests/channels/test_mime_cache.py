"""What build_message remembers across the recipients of one notice must never leak between
messages that differ: each header and body is still the message's own."""

from __future__ import annotations

import email
import email.policy

from scheduler.channels.mime import build_message
from tests.support.delivery import rendered

SENDER, NAME, DOMAIN = "safety@wlt.example.gov.cn", "安全生产值班提醒", "wlt.example.gov.cn"


def parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def test_recipients_of_one_notice_share_the_body_but_keep_their_own_to_and_id() -> None:
    first = parsed(build_message(rendered(key="k1", name="王一", address="a@example.com"), SENDER, NAME, DOMAIN, 1e9))
    second = parsed(build_message(rendered(key="k2", name="李二", address="b@example.com"), SENDER, NAME, DOMAIN, 1e9))
    assert str(first["To"]) == "王一 <a@example.com>" and str(second["To"]) == "李二 <b@example.com>"
    assert first["Message-ID"] != second["Message-ID"]
    assert first.get_content() == second.get_content()
    assert str(first["From"]) == f"{NAME} <{SENDER}>"


def test_a_different_text_or_subject_is_not_served_from_the_cache() -> None:
    one = parsed(build_message(rendered(subject="【值班提醒】一", text="甲\n"), SENDER, NAME, DOMAIN, 1e9))
    two = parsed(build_message(rendered(subject="【值班提醒】二", text="乙\n"), SENDER, NAME, DOMAIN, 1e9))
    assert (str(one["Subject"]), one.get_content()) == ("【值班提醒】一", "甲\n")
    assert (str(two["Subject"]), two.get_content()) == ("【值班提醒】二", "乙\n")


def test_the_date_follows_the_clock() -> None:
    early = parsed(build_message(rendered(), SENDER, NAME, DOMAIN, 1_000_000_000.2))
    later = parsed(build_message(rendered(), SENDER, NAME, DOMAIN, 1_000_000_061.0))
    assert str(early["Date"]).startswith("Sun, 09 Sep 2001 01:46:40") and str(later["Date"]).startswith("Sun, 09 Sep 2001 01:47:41")
