from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from scheduler.app import App
from scheduler.outbox.planned import MAX_JITTER_S, MIN_JITTER_S, PlannedMessage
from scheduler.rendering import BUILTIN_TEMPLATES
from scheduler.vocab import Category
from tests.support.clock import SHANGHAI, ManualClock, local
from tests.support.project import make_app, make_project
from tests.support.reminders import planned, rendered, shipped_project

D = dt.date
YEAR_2026 = (local(2026, 1, 1, 0, 0), local(2027, 1, 1, 0, 0))

# The default steps for each 2026 holiday period (and 元旦 2027, whose steps fall in December),
# each moved off non-working days to the working day before.
EXPECTED_2026 = {
    "2026-02-15": {"T-14": D(2026, 1, 30), "T-10": D(2026, 2, 5), "T-7": D(2026, 2, 6), "T-1": D(2026, 2, 14)},
    "2026-04-04": {"T-14": D(2026, 3, 20), "T-10": D(2026, 3, 25), "T-7": D(2026, 3, 27), "T-1": D(2026, 4, 3)},
    "2026-05-01": {"T-14": D(2026, 4, 17), "T-10": D(2026, 4, 21), "T-7": D(2026, 4, 24), "T-1": D(2026, 4, 30)},
    "2026-06-19": {"T-14": D(2026, 6, 5), "T-10": D(2026, 6, 9), "T-7": D(2026, 6, 12), "T-1": D(2026, 6, 18)},
    "2026-09-25": {"T-14": D(2026, 9, 11), "T-10": D(2026, 9, 15), "T-7": D(2026, 9, 18), "T-1": D(2026, 9, 24)},
    "2026-10-01": {"T-14": D(2026, 9, 17), "T-10": D(2026, 9, 21), "T-7": D(2026, 9, 24), "T-1": D(2026, 9, 30)},
    "2027-01-01": {"T-14": D(2026, 12, 18), "T-10": D(2026, 12, 22), "T-7": D(2026, 12, 25), "T-1": D(2026, 12, 31)},
}
KIND = {"T-14": "preholiday/self_inspection", "T-10": "preholiday/assessment_meeting",
        "T-7": "preholiday/inspection", "T-1": "preholiday/final"}
ENTERPRISE_CONTACTS = 14  # contacts with an address in examples/enterprises.csv
SAFETY_SECTION = {"staff:S003"}  # the test project's group: role 安全科负责人
SUPERVISORS = {"staff:S008", "staff:S010", "staff:S012"}
DUTY_TEAM = {f"staff:S{n:03d}" for n in range(2, 13)}


def by_step(messages: list[PlannedMessage]) -> dict[tuple[str, str], list[PlannedMessage]]:
    found: dict[tuple[str, str], list[PlannedMessage]] = defaultdict(list)
    for m in messages:
        _, period, step, _ = m.key.split(":", 3)
        found[(period, step)].append(m)
    return found


def custom(tmp_path: Path, clock: ManualClock, toml: str) -> App:
    """The example project with only the given [preholiday] section."""
    return make_app(make_project(tmp_path, toml), clock)


def test_each_default_step_is_planned_on_its_day_for_every_2026_holiday(shipped: App) -> None:
    steps = by_step(planned(shipped, *YEAR_2026, ["preholiday"]))
    days = {(period, step): {m.due_at.astimezone(SHANGHAI).date() for m in ms} for (period, step), ms in steps.items()}
    expected = {(period, step): {day} for period, s in EXPECTED_2026.items() for step, day in s.items()}
    assert days == expected
    assert all(shipped.calendar.is_working_day(day) for (day,) in days.values())


def test_a_send_day_that_is_not_a_working_day_moves_to_the_working_day_before(shipped: App) -> None:
    steps = by_step(planned(shipped, *YEAR_2026, ["preholiday"]))
    # 春节 2026-02-15: T-14 is Sunday 1 February, sent Friday 30 January.
    assert {m.due_at.astimezone(SHANGHAI).date() for m in steps[("2026-02-15", "T-14")]} == {D(2026, 1, 30)}
    # T-1 is Saturday 14 February, a make-up working day (调休上班): it stays.
    assert {m.due_at.astimezone(SHANGHAI).date() for m in steps[("2026-02-15", "T-1")]} == {D(2026, 2, 14)}


def test_each_step_reaches_its_audience_with_its_template_at_its_time(shipped: App) -> None:
    steps = by_step(planned(shipped, *YEAR_2026, ["preholiday"]))
    spring = {step: steps[("2026-02-15", step)] for step in KIND}
    assert all(m.kind == KIND[step] for step, ms in spring.items() for m in ms)
    enterprise_keys = {m.recipient.key for m in spring["T-14"]}
    assert len(enterprise_keys) == ENTERPRISE_CONTACTS
    assert all(k.startswith("enterprise:") for k in enterprise_keys)
    assert {m.recipient.key for m in spring["T-10"]} == SAFETY_SECTION
    assert {m.recipient.key for m in spring["T-7"]} == SUPERVISORS
    assert {m.recipient.key for m in spring["T-1"]} == enterprise_keys | DUTY_TEAM
    for step, messages in spring.items():
        hour = 15 if step == "T-1" else 9
        for m in messages:
            due = m.due_at.astimezone(SHANGHAI)
            offset = due - due.replace(hour=hour, minute=0, second=0)
            assert dt.timedelta(seconds=MIN_JITTER_S) <= offset <= dt.timedelta(seconds=MAX_JITTER_S)


def test_keys_name_period_step_and_recipient_and_expire_when_the_holiday_begins(shipped: App) -> None:
    messages = planned(shipped, *YEAR_2026, ["preholiday"])
    keys = {m.key for m in messages}
    assert "preholiday:2026-02-15:T-14:enterprise:91140100EX0000001A:principal" in keys
    assert "preholiday:2026-02-15:T-10:staff:S003" in keys
    assert len(keys) == len(messages)
    spring = [m for m in messages if m.key.startswith("preholiday:2026-02-15:")]
    assert {m.expires_at for m in spring} == {local(2026, 2, 15, 0, 0)}
    assert {m.topic for m in spring} == {"preholiday:2026-02-15"}


def test_each_enterprise_gets_the_checklist_of_its_own_category(shipped: App) -> None:
    messages = [m for m in planned(shipped, *YEAR_2026, ["preholiday"]) if m.key.startswith("preholiday:2026-02-15:T-14:")]
    checklists = {c.value: (BUILTIN_TEMPLATES / "checklists" / f"{c.value}.md").read_text(encoding="utf-8").strip()
                  for c in Category}
    seen = set()
    for message in messages:
        category = message.context["enterprise"]["category"]
        text = rendered(shipped, message).text
        assert checklists[category] in text, message.key
        others = [c for c in checklists if c != category and checklists[c] in text]
        assert not others, (message.key, others)
        seen.add(category)
    assert seen == {c.value for c in Category} - {"other"}  # the examples have every listed category


def test_the_self_inspection_message_gives_dates_with_weekdays_and_a_deadline(shipped: App) -> None:
    message = next(m for m in planned(shipped, *YEAR_2026, ["preholiday"])
                   if m.key == "preholiday:2026-02-15:T-14:enterprise:91140100EX0000001A:principal")
    parts = rendered(shipped, message)
    assert parts.subject == "【节前自查】春节假期（2月15日起）安全自查提醒"
    assert "春节假期为2月15日（星期日）至2月23日（星期一），共9天。" in parts.text
    assert "于2月12日（星期四）前完成节前安全自查" in parts.text  # complete_by = 3 working days
    assert parts.text.startswith("晋祠山水文化旅游区（示例） 主要负责人 王建国：")


def test_lead_times_may_count_working_days(tmp_path: Path, clock: ManualClock) -> None:
    app = custom(tmp_path, clock, """
[preholiday.steps.W10]
lead = 10
count = "working"
template = "preholiday/assessment_meeting"
audience = { groups = ["safety_section"] }
""")
    steps = by_step(planned(app, *YEAR_2026, ["preholiday"]))
    # Ten working days before 2026-02-15, counting the make-up Saturday 14 February.
    assert {m.due_at.astimezone(SHANGHAI).date() for m in steps[("2026-02-15", "W10")]} == {D(2026, 2, 3)}


def test_keep_sends_on_the_nominal_day_even_when_it_is_a_day_off(tmp_path: Path, clock: ManualClock) -> None:
    app = custom(tmp_path, clock, """
[preholiday]
on_non_working_day = "keep"
[preholiday.steps.T-14]
lead = 14
template = "preholiday/assessment_meeting"
audience = { groups = ["safety_section"] }
""")
    steps = by_step(planned(app, *YEAR_2026, ["preholiday"]))
    assert {m.due_at.astimezone(SHANGHAI).date() for m in steps[("2026-02-15", "T-14")]} == {D(2026, 2, 1)}


def test_only_periods_of_the_configured_length_or_names_count(tmp_path: Path, clock: ManualClock) -> None:
    app = custom(tmp_path, clock, """
[preholiday]
min_days = 5
[preholiday.steps.T-3]
lead = 3
template = "preholiday/assessment_meeting"
audience = { groups = ["safety_section"] }
[preholiday.steps.T-20]
lead = 20
min_days = 9
template = "preholiday/assessment_meeting"
audience = { groups = ["safety_section"] }
""")
    steps = by_step(planned(app, *YEAR_2026, ["preholiday"]))
    assert {p for p, s in steps if s == "T-3"} == {"2026-02-15", "2026-05-01", "2026-10-01"}
    assert {p for p, s in steps if s == "T-20"} == {"2026-02-15"}

    named = custom(tmp_path / "named", clock, """
[preholiday]
holidays = ["国庆"]
[preholiday.steps.T-3]
lead = 3
template = "preholiday/assessment_meeting"
audience = { groups = ["safety_section"] }
""")
    assert {p for p, _ in by_step(planned(named, *YEAR_2026, ["preholiday"]))} == {"2026-10-01"}


def test_an_audience_may_be_some_categories_and_some_contacts(tmp_path: Path, clock: ManualClock) -> None:
    app = custom(tmp_path, clock, """
[preholiday.steps.T-5]
lead = 5
template = "preholiday/self_inspection"
audience = { categories = ["旅行社", "scenic_area"], contacts = ["principal"] }
""")
    messages = by_step(planned(app, *YEAR_2026, ["preholiday"]))[("2026-02-15", "T-5")]
    assert {m.recipient.key for m in messages} == {
        "enterprise:91140800EX0000007G:principal",
        "enterprise:91140100EX0000001A:principal",
        "enterprise:91140200EX0000002B:principal",
    }


def test_an_enterprise_with_its_own_bot_also_gets_the_reminder_there(tmp_path: Path, clock: ManualClock) -> None:
    config = shipped_project(tmp_path, """
[channels.jinci_bot]
type = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=test"
""")
    data = config.parent / "enterprises.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    lines[0] += ",机器人通道"
    lines[1] += ",jinci_bot"
    lines[2:] = [line + "," for line in lines[2:]]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    app = make_app(config, clock)
    messages = by_step(planned(app, *YEAR_2026, ["preholiday"]))[("2026-02-15", "T-14")]
    bot = [m for m in messages if m.recipient.key == "enterprise:91140100EX0000001A:bot"]
    assert len(bot) == 1
    assert bot[0].recipient.channel == "jinci_bot"
    assert {mention.name for mention in bot[0].recipient.mentions} == {"王建国", "李安全"}


def test_a_window_before_any_send_time_plans_nothing(shipped: App) -> None:
    # 30 January, 08:00–09:00: the T-14 reminders are due at 09:00 plus a few seconds.
    assert planned(shipped, local(2026, 1, 30, 8, 0), local(2026, 1, 30, 9, 0), ["preholiday"]) == []
    assert len(planned(shipped, local(2026, 1, 30, 9, 0), local(2026, 1, 30, 9, 2), ["preholiday"])) == ENTERPRISE_CONTACTS
