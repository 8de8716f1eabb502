from __future__ import annotations

import json

from scheduler.channels.text import TRUNCATED_NOTE, fit, fit_json, size, with_ref


def test_a_text_that_fits_is_left_alone() -> None:
    assert fit("值班安排", 12) == "值班安排"


def test_limits_count_utf8_bytes_not_characters() -> None:
    assert size("值班") == 6
    assert size(fit("值班安排" * 10, 30)) <= 30


def test_a_long_text_is_cut_at_a_line_end_with_a_note() -> None:
    text = "\n".join(f"第{i}行：请做好安全检查。" for i in range(100))
    cut = fit(text, 400)
    assert size(cut) <= 400 and cut.endswith(TRUNCATED_NOTE)
    assert cut[: -len(TRUNCATED_NOTE)].rstrip().endswith("请做好安全检查。")  # whole lines only


def test_a_cut_never_splits_a_character() -> None:
    cut = fit("安" * 100, 50)
    cut.encode("utf-8")  # would raise on a broken character
    assert "\ufffd" not in cut


def test_the_reference_is_added_once() -> None:
    assert with_ref("今日值班", "A1B2C3") == "今日值班\n\n编号：A1B2C3"
    assert with_ref("今日值班（编号：A1B2C3）", "A1B2C3") == "今日值班（编号：A1B2C3）"


def test_a_json_body_is_cut_until_it_fits_escapes_included() -> None:
    text = '"引号"\n换行\\' * 500
    body = fit_json(lambda t: {"text": t}, text, 1000)
    assert len(body) <= 1000 and json.loads(body)["text"].endswith(TRUNCATED_NOTE)
