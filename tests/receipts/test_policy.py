from __future__ import annotations

import datetime as dt

from scheduler.app import App
from scheduler.receipts.policy import ask_of, party_of, task_of
from tests.support.clock import local

T14 = "preholiday:2026-02-15:T-14:enterprise:91140100EX0000001A:principal"


def test_any_contact_of_an_enterprise_answers_for_it() -> None:
    assert party_of("enterprise:91140100EX0000001A:principal") == "enterprise:91140100EX0000001A"
    assert party_of("enterprise:91140100EX0000001A:bot") == "enterprise:91140100EX0000001A"
    assert party_of("staff:S004") == "staff:S004"
    assert party_of("group:duty_team") == "group:duty_team"
    bot = T14.replace(":principal", ":bot")
    assert task_of(T14, "enterprise:91140100EX0000001A:principal") == task_of(bot, "enterprise:91140100EX0000001A:bot")
    assert task_of(T14, "enterprise:91140100EX0000001A:principal") == \
        "preholiday:2026-02-15:T-14:enterprise:91140100EX0000001A"


def test_a_key_that_does_not_end_with_its_recipient_is_its_own_task() -> None:
    key = "duty:2026-02-12:leader:S004:20260101T000000:eve"
    assert task_of(key, "staff:S004") == key


def test_the_shipped_kinds_ask_whom_the_issue_says(shipped: App) -> None:
    config = shipped.config
    due = local(2026, 1, 30, 9, 0)
    period = {"name": "春节", "start": "2026-02-15", "end": "2026-02-23"}
    ask = ask_of(config, T14, "preholiday/self_inspection", "enterprise:91140100EX0000001A:principal",
                 "preholiday:2026-02-15", {"period": period, "deadline": "2026-02-11"}, due)
    assert ask is not None and ask.mode == "report" and ask.party == "enterprise:91140100EX0000001A"
    # The link works through the holiday's last day, plus the grace day.
    assert ask.expires == local(2026, 2, 25, 0, 0)
    assert ask.deadline == local(2026, 2, 12, 0, 0)
    # The final reminder asks nothing; the staff on the T-1 list are not asked for the self-inspection.
    assert ask_of(config, "k", "preholiday/final", "staff:S004", "t", {"period": period}, due) is None
    assert ask_of(config, "k", "preholiday/self_inspection", "staff:S004", "t", {"period": period}, due) is None
    assert ask_of(config, "k", "duty/shift_eve", "staff:S004", "t",
                  {"end": "2026-02-13T08:30:00+08:00"}, due).mode == "confirm"  # type: ignore[union-attr]
    hazard = ask_of(config, "hazard:HZ-1:2026-03-06:step3:r0:enterprise:E1:principal", "hazard/due_today",
                    "enterprise:E1:principal", "hazard:HZ-1", {"deadline": "2026-03-06"}, due)
    assert hazard is not None and hazard.deadline is None  # a hazard's own deadline is not the receipt's
    assert hazard.expires == due + dt.timedelta(days=15)
    # The supervisor, told on the same step, is not asked for the enterprise's report.
    assert ask_of(config, "k", "hazard/due_today", "staff:S010", "hazard:HZ-1", {}, due) is None


def test_a_chasing_message_asks_for_the_task_it_carries(shipped: App) -> None:
    carried = {"task": "t", "kind": "preholiday/self_inspection", "topic": "p", "mode": "report", "party": "enterprise:E",
               "expires": "2026-02-25T00:00:00+08:00", "deadline": None, "day": ""}
    ask = ask_of(shipped.config, "receipt:remind:x", "receipts/preholiday_reminder", "enterprise:E:principal", "x",
                 {"receipt": carried}, local(2026, 2, 10, 9, 0))
    assert ask is not None and ask.task == "t" and ask.as_context() == carried
