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


def test_text_lines_carry_the_time_in_the_service_zone_with_its_offset(
        capsys: pytest.CaptureFixture[str]) -> None:
    from zoneinfo import ZoneInfo

    logs.setup("text", "INFO", zone=ZoneInfo("Asia/Shanghai"))
    logging.getLogger("safeduty.test").info("hello")
    line = capsys.readouterr().err.strip()
    stamp = line.split(" INFO")[0]
    assert stamp.endswith("+08:00") and len(stamp) == len("2026-02-11 09:00:35.120+08:00")


def test_interactive_commands_keep_routine_info_lines_off_stderr_unless_verbose(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from scheduler.cli import main
    from tests.support.project import make_project

    config = make_project(tmp_path / "project")
    quiet = CliRunner().invoke(main, ["--config", str(config), "roster", "stats", "--year", "2026"])
    assert quiet.exit_code == 0, quiet.output
    assert " INFO " not in quiet.stderr  # the data files were synced, silently
    config = make_project(tmp_path / "again")
    loud = CliRunner().invoke(main, ["--config", str(config), "-v", "roster", "stats", "--year", "2026"])
    assert loud.exit_code == 0, loud.output
    assert " INFO " in loud.stderr and "+08:00 INFO" in loud.stderr
def _raise_with(url: str) -> None:
    raise ValueError(f"Failed to parse: {url}")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_tracebacks_are_masked_in_text_and_json(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    token = "canary-7f3e9d1c"
    logs.setup(fmt, "INFO", secrets=[f"https://h/robot/send?access_token={token}"])
    try:
        _raise_with(f"https://h:99999/robot/send?access_token={token}&sign=s1gn")
    except ValueError:
        logging.getLogger("safeduty.test").exception("sending raised")
    err = capsys.readouterr().err
    assert token not in err and "s1gn" not in err
    assert "access_token=***" in err and "Traceback" in err


def test_urllib3_debug_lines_never_show_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup("text", "DEBUG", secrets=["canary-key-0042"])
    logging.getLogger("urllib3.connectionpool").debug('%s://%s:%s "%s %s %s" %s', "https", "h", 443, "POST",
                                                      "/send?key=canary-key-0042", "HTTP/1.1", 200)
    logging.getLogger("urllib3.connectionpool").warning("Retrying after %s: /send?key=canary-key-0042", "reset")
    err = capsys.readouterr().err
    assert "canary-key-0042" not in err and "key=***" in err
    assert "POST" not in err  # urllib3 stays at WARNING even when we log at DEBUG


def test_an_uncaught_exception_is_printed_masked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    script = ("from scheduler import logs\nlogs.setup('text', 'INFO', ['canary-9d1c'])\n"
              "raise RuntimeError('https://h/send?access_token=canary-9d1c')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "RuntimeError" in done.stderr and "canary-9d1c" not in done.stderr
