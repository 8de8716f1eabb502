from __future__ import annotations

import requests

from scheduler import redaction
from scheduler.redaction import Redactor, summary


def test_a_known_secret_is_masked_also_when_url_encoded() -> None:
    redact = Redactor(["SECab+c/d=ef"])
    assert redact("sign with SECab+c/d=ef or SECab%2Bc%2Fd%3Def") == "sign with *** or ***"


def test_the_parts_of_a_configured_url_that_hold_credentials_are_known_secrets() -> None:
    redact = Redactor(["https://u:pw-1234@open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
                       "?tenant=abcd9876"])
    assert redact("hook 0a1b2c3d-4e5f-6789-abcd-ef0123456789, tenant abcd9876, pw-1234") == "hook ***, tenant ***, ***"


def test_credential_parameters_and_userinfo_are_masked_without_being_known() -> None:
    redact = Redactor()
    text = ("POST /robot/send?access_token=abc123&timestamp=17&sign=x%2By HTTP/1.1; "
            "/cgi-bin/webhook/send?key=693a91f6; https://user:pass@mail.example.com/; "
            "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f")
    assert redact(text) == ("POST /robot/send?access_token=***&timestamp=17&sign=*** HTTP/1.1; "
                            "/cgi-bin/webhook/send?key=***; https://***@mail.example.com/; "
                            "https://open.feishu.cn/open-apis/bot/v2/hook/***")


def test_ordinary_words_are_left_alone() -> None:
    assert Redactor(["", "ab"])("monkey=1 and key words, a=b") == "monkey=1 and key words, a=b"


def test_a_request_error_is_summarised_by_its_kind_alone() -> None:
    error = requests.exceptions.InvalidURL("Failed to parse: https://h:99999/robot/send?access_token=t0k")
    assert summary(error) == "InvalidURL"


def test_other_errors_keep_their_first_line_masked_and_short() -> None:
    redaction.install(["t0k-secret"])
    try:
        assert summary(KeyError("t0k-secret")) == "KeyError: '***'"
        assert summary(ValueError("first\nsecond")) == "ValueError: first"
        assert len(summary(ValueError("x" * 1000))) < 220
    finally:
        redaction.install([])
