from __future__ import annotations

import json
import logging

import pytest

from scheduler import logs


def test_known_secrets_are_masked_wherever_they_appear(capsys: pytest.CaptureFixture[str]) -> None:
    token = "4f0c2b7e-dingtalk-token"
    logs.setup("json", "INFO", secrets=[token, ""])
    # A transport error quoting the URL is the classic way a token leaks into a log.
    logging.getLogger("safeduty.test").warning(
        "connection failed: %s", f"HTTPSConnectionPool: /robot/send?access_token={token}"
    )
    entry = json.loads(capsys.readouterr().err.strip())
    assert entry["message"] == "connection failed: HTTPSConnectionPool: /robot/send?access_token=***"
    assert entry["level"] == "WARNING"
