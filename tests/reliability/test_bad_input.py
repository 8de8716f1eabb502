"""Bad input, table-driven: config values, templates, data rows and command-line arguments.

Every case runs the real command (`safeduty …`, in-process through click) against a project
with the shipped config.toml and a database holding the example staff, enterprises, hazards
and a month of roster. Each must end with exit code 2, a message that names what is wrong
(the key, the file and row, the argument), no traceback, and the database exactly as before.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from tests.reliability.conftest import Figures
from tests.support.project import ROOT

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(120)]

ENTERPRISES = "编码,名称,类别,等级,行政区划,主要负责人,主要负责人手机,主要负责人邮箱,安全管理人员,安全管理人员手机,安全管理人员邮箱\n"
ENTERPRISE = "91140100EX0000009Z,测试景区（新）,A级旅游景区,4A,140106,王一,13900000901,w1@example.com,李二,13900000902,l2@example.com\n"
STAFF = "工号,姓名,角色,班组,手机,邮箱\n"
PERSON = "S901,测试员,值班员,安全科,13800000901,t901@example.gov.cn\n"
HAZARDS = "隐患编号,企业,隐患名称,隐患类别,隐患等级,隐患来源,发现日期,整改期限,整改责任人,责任人手机\n"
HAZARD = "HZ-2026-0901,91140100EX0000001A,消防通道堵塞,管理,一般,企业自查,2026-03-02,2026-03-20,李安全,13900000102\n"
TEMPLATE = "templates/preholiday/final.text.j2"


def swap(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"the shipped config no longer has {old!r}"
        return text.replace(old, new, 1)

    return edit


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + "\n" + extra + "\n"


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    expect: tuple[str, ...]  # each must appear in the output
    config: Callable[[str], str] | None = None  # an edit of config.toml for this case
    files: dict[str, bytes | str] = field(default_factory=dict)  # written into the project first


def run_once(*expect: str, config: Callable[[str], str], case: str) -> Case:
    return Case(case, ("run", "--once"), expect, config=config)


CONFIG_CASES = [
    run_once("servcie", config=append("[servcie]\nzone = \"Asia/Shanghai\""), case="unknown-table"),
    run_once("service.plan_evry", config=swap('plan_every = "60s"', 'plan_evry = "60s"'), case="unknown-key"),
    run_once("delivery.batch", config=swap("batch = 200", 'batch = "many"'), case="wrong-type-int"),
    run_once("service.plan_every", config=swap('plan_every = "60s"', "plan_every = 60"), case="wrong-type-duration"),
    run_once("delivery.lease", config=swap('lease = "2m"', 'lease = "2 minutes"'), case="bad-duration"),
    run_once("service.zone", "Asia/Beijing", config=swap('zone = "Asia/Shanghai"', 'zone = "Asia/Beijing"'),
             case="bad-zone"),
    run_once("calendar.guard.warn_from", config=swap('warn_from = "12-01"', 'warn_from = "12-32"'),
             case="bad-month-day"),
    run_once("preholiday.steps.T-14.at", config=swap('at = "09:00"', 'at = "25:00"'), case="bad-time"),
    run_once("key_periods.periods.flood_season.start",
             config=swap('start = "06-01"                            # Shanxi', 'start = "02-30"  # Shanxi'),
             case="bad-period-date"),
    run_once("calendar.years.2027", config=append(
        '[calendar.years.2027]\nholidays = [{ name = "春节", start = 2027-02-12, end = 2027-02-05 }]'),
        case="holiday-ends-before-it-starts"),
    run_once("delivery.person_channel", "mail", config=swap('person_channel = "console"', 'person_channel = "mail"'),
             case="channel-not-defined"),
    run_once("groups.duty_team.bot", "duty_dingtalk", config=swap('# bot = "duty_dingtalk"', 'bot = "duty_dingtalk"'),
             case="bot-channel-not-defined"),
    run_once("delivery.admins", "nobody", config=swap('admins = "admins"', 'admins = "nobody"'),
             case="group-not-defined"),
    run_once("channels.hook.type", config=append('[channels.hook]\ntype = "sms"\nurl = "https://example.com/h"'),
             case="unknown-channel-type"),
    run_once("channels.hook", "whsec_", config=append(
        '[channels.hook]\ntype = "webhook"\nurl = "https://example.com/h"\nsecret = "s3cret"'),
        case="webhook-secret-format"),
    run_once("channels.hook", "https://", config=append(
        '[channels.hook]\ntype = "webhook"\nurl = "ftp://example.com/h"\n'
        'secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"'),
        case="url-scheme"),
    run_once("channels.mail.password", "SAFEDUTY_TEST_UNSET_PASSWORD", config=append(
        '[channels.mail]\ntype = "email"\nhost = "smtp.example.com"\nsender = "a@example.com"\n'
        'username = "a@example.com"\npassword = "${SAFEDUTY_TEST_UNSET_PASSWORD}"'), case="secret-not-in-environment"),
    run_once("channels.mail", "clear text", config=append(
        '[channels.mail]\ntype = "email"\nhost = "smtp.example.com"\nsender = "a@example.com"\n'
        'security = "none"\nusername = "a@example.com"'), case="password-in-clear"),
    run_once("delivery", "at least 1", config=swap("batch = 200", "batch = 0"), case="batch-zero"),
    run_once("enterprises.contacts", "boss", config=swap('contacts = ["principal", "safety_manager"]',
                                                         'contacts = ["boss"]'), case="bad-enum"),
    run_once("service.log_level", config=swap('log_level = "INFO"', 'log_level = "LOUD"'), case="bad-literal"),
    run_once("config-toml-syntax.toml", "line", config=append('[service\nzone = "Asia/Shanghai"'), case="toml-syntax"),
    run_once("service: database", "mysql", config=swap('database = "sqlite:///var/safeduty.db"',
                                                      'database = "mysql://safeduty@127.0.0.1/safeduty"'),
             case="unsupported-database"),
    run_once("missing.csv", config=swap('staff = "examples/staff.csv"', 'staff = "examples/missing.csv"'),
             case="data-file-missing"),
]

TEMPLATE_CASES = [
    Case("template-syntax-error", ("check",), ("preholiday/final", "final.text.j2"),
         config=swap('templates = ""', 'templates = "templates"'), files={TEMPLATE: "{{ bureau }\n"}),
    Case("template-undefined-variable", ("check",), ("preholiday/final", "no_such_value"),
         config=swap('templates = ""', 'templates = "templates"'), files={TEMPLATE: "{{ no_such_value }}\n"}),
    Case("template-folder-missing", ("check",), ("service.templates", "no-such-folder"),
         config=swap('templates = ""', 'templates = "no-such-folder"')),
    Case("template-folder-missing-refuses-to-run", ("run", "--once"), ("service.templates", "no-such-folder"),
         config=swap('templates = ""', 'templates = "no-such-folder"')),
    Case("template-error-refuses-to-run", ("run", "--once"), ("preholiday/final", "no_such_value"),
         config=swap('templates = ""', 'templates = "templates"'), files={TEMPLATE: "{{ no_such_value }}\n"}),
]

DATA_CASES = [
    Case("enterprises-wrong-encoding", ("import", "enterprises", "bad.csv"), ("bad.csv", "UTF-8"),
         files={"bad.csv": (ENTERPRISES + ENTERPRISE).encode("utf-16")}),
    Case("enterprises-binary", ("import", "enterprises", "bad.csv"), ("bad.csv",),
         files={"bad.csv": bytes(range(256)) * 4}),
    Case("enterprises-missing-column", ("import", "enterprises", "bad.csv"), ("bad.csv:1", "名称"),
         files={"bad.csv": ENTERPRISES.replace("名称,", "") + ENTERPRISE.replace("测试景区（新）,", "")}),
    Case("enterprises-unknown-column", ("import", "enterprises", "bad.csv"), ("bad.csv:1", "微信"),
         files={"bad.csv": ENTERPRISES.rstrip("\n") + ",微信\n" + ENTERPRISE.rstrip("\n") + ",wx\n"}),
    Case("enterprises-duplicate-codes", ("import", "enterprises", "bad.csv"), ("bad.csv:3", "91140100EX0000009Z"),
         files={"bad.csv": ENTERPRISES + ENTERPRISE + ENTERPRISE.replace("（新）", "（二）")}),
    Case("enterprises-bad-category", ("import", "enterprises", "bad.csv"), ("bad.csv:2", "酒吧"),
         files={"bad.csv": ENTERPRISES + ENTERPRISE.replace("A级旅游景区,4A", "酒吧,")}),
    Case("enterprises-grade-on-a-ktv", ("import", "enterprises", "bad.csv"), ("bad.csv:2", "等级"),
         files={"bad.csv": ENTERPRISES + ENTERPRISE.replace("A级旅游景区", "娱乐场所")}),
    Case("enterprises-bad-mobile", ("import", "enterprises", "bad.csv"), ("bad.csv:2", "12345"),
         files={"bad.csv": ENTERPRISES + ENTERPRISE.replace("13900000901", "12345")}),
    Case("enterprises-bad-email", ("import", "enterprises", "bad.csv"), ("bad.csv:2", "not-an-address"),
         files={"bad.csv": ENTERPRISES + ENTERPRISE.replace("w1@example.com", "not-an-address")}),
    Case("enterprises-no-contact", ("import", "enterprises", "bad.csv"), ("bad.csv:2", "could not be reached"),
         files={"bad.csv": ENTERPRISES + "91140100EX0000009Z,测试景区（新）,A级旅游景区,4A,140106,王一,,,李二,,\n"}),
    Case("enterprises-one-bad-row-of-three", ("import", "enterprises", "bad.csv"), ("bad.csv:4",),
         files={"bad.csv": ENTERPRISES + ENTERPRISE + ENTERPRISE.replace("9Z,", "8Y,")
                + ENTERPRISE.replace("9Z,", "7X,").replace("4A", "9A")}),
    Case("enterprises-empty-file", ("import", "enterprises", "bad.csv"), ("bad.csv", "empty"), files={"bad.csv": ""}),
    Case("enterprises-not-really-xlsx", ("import", "enterprises", "bad.xlsx"), ("bad.xlsx",),
         files={"bad.xlsx": b"PK\x03\x04 not a workbook"}),
    Case("staff-unknown-role", ("import", "staff", "bad.csv"), ("bad.csv:2", "厨师"),
         files={"bad.csv": STAFF + PERSON.replace("值班员", "厨师")}),
    Case("staff-duplicate-codes", ("import", "staff", "bad.csv"), ("bad.csv:3", "S901"),
         files={"bad.csv": STAFF + PERSON + PERSON.replace("测试员", "另一人")}),
    Case("staff-unreachable", ("import", "staff", "bad.csv"), ("bad.csv:2", "neither mobile nor e-mail"),
         files={"bad.csv": STAFF + "S901,测试员,值班员,安全科,,\n"}),
    Case("staff-missing-name-column", ("import", "staff", "bad.csv"), ("bad.csv:1", "姓名"),
         files={"bad.csv": "工号,角色,手机\nS901,值班员,13800000901\n"}),
    Case("staff-gbk-garbage", ("import", "staff", "bad.csv"), ("bad.csv",),
         files={"bad.csv": STAFF.encode("utf-8") + b"S901,\xff\xfe\xfa,\x81\x30,\n"}),
    Case("hazard-found-in-the-future", ("hazard", "import", "bad.csv", "--by", "t"), ("bad.csv:2", "2030-03-02"),
         files={"bad.csv": HAZARDS + HAZARD.replace("2026-03-02", "2030-03-02").replace("2026-03-20", "2030-03-20")}),
    Case("hazard-deadline-before-found", ("hazard", "import", "bad.csv", "--by", "t"), ("bad.csv:2", "整改期限"),
         files={"bad.csv": HAZARDS + HAZARD.replace("2026-03-20", "2026-02-20")}),
    Case("hazard-unknown-enterprise", ("hazard", "import", "bad.csv", "--by", "t"), ("bad.csv:2", "NOPE"),
         files={"bad.csv": HAZARDS + HAZARD.replace("91140100EX0000001A", "NOPE")}),
    Case("hazard-bad-level", ("hazard", "import", "bad.csv", "--by", "t"), ("bad.csv:2", "特大"),
         files={"bad.csv": HAZARDS + HAZARD.replace(",一般,", ",特大,")}),
    Case("hazard-bad-date", ("hazard", "import", "bad.csv", "--by", "t"), ("bad.csv:2", "2026/13/45"),
         files={"bad.csv": HAZARDS + HAZARD.replace("2026-03-02", "2026/13/45")}),
    Case("hazard-duplicate-codes", ("hazard", "import", "bad.csv", "--by", "t"), ("bad.csv:3", "HZ-2026-0901"),
         files={"bad.csv": HAZARDS + HAZARD + HAZARD}),
]

CLI_CASES = [
    Case("hazard-add-found-in-the-future", ("hazard", "add", "--enterprise", "91140100EX0000001A", "--title", "t",
                                            "--category", "物", "--level", "一般", "--found", "2030-01-05",
                                            "--by", "t"), ("2030-01-05",)),
    Case("hazard-add-unknown-enterprise", ("hazard", "add", "--enterprise", "NOPE", "--title", "t", "--category",
                                           "物", "--level", "一般", "--found", "2026-03-02", "--by", "t"), ("NOPE",)),
    Case("hazard-add-bad-level", ("hazard", "add", "--enterprise", "91140100EX0000001A", "--title", "t",
                                  "--category", "物", "--level", "特大", "--found", "2026-03-02", "--by", "t"), ("特大",)),
    Case("hazard-extend-unknown", ("hazard", "extend", "HZ-NOPE", "--deadline", "2026-12-31", "--reason", "r",
                                   "--by", "t"), ("HZ-NOPE",)),
    Case("hazard-extend-before-found", ("hazard", "extend", "HZ-2026-0001", "--deadline", "2025-01-01", "--reason",
                                        "r", "--by", "t"), ("2025-01-01",)),
    Case("hazard-status-unknown", ("hazard", "status", "HZ-2026-0001", "flying", "--by", "t"), ("flying",)),
    Case("roster-generate-bad-date", ("roster", "generate", "--from", "2026-02-30", "--to", "2026-03-05",
                                      "--by", "t"), ("2026-02-30",)),
    Case("roster-generate-reversed", ("roster", "generate", "--from", "2026-04-10", "--to", "2026-04-01",
                                      "--by", "t"), ("--from", "--to")),
    Case("roster-leave-unknown-person", ("roster", "leave", "无此人", "--from", "2026-03-02", "--to", "2026-03-03",
                                         "--reason", "r", "--by", "t"), ("无此人",)),
    Case("roster-override-unknown-person", ("roster", "override", "2026-03-05", "--to", "无此人", "--reason", "r",
                                            "--by", "t"), ("无此人",)),
    Case("simulate-bad-date", ("simulate", "--from", "2026-13-01", "--to", "2026-12-31"), ("2026-13-01",)),
    Case("simulate-reversed", ("simulate", "--from", "2026-03-01", "--to", "2026-02-01"), ("--from", "--to")),
    Case("calendar-year-out-of-range", ("calendar", "--year", "1800"), ("1800",)),
    Case("outbox-show-unknown-key", ("outbox", "show", "no:such:key"), ("no:such:key",)),
    Case("outbox-retry-nothing-named", ("outbox", "retry"), ("KEY", "--dead")),
    Case("outbox-list-bad-status", ("outbox", "list", "--status", "lost"), ("lost",)),
    Case("send-test-unknown-channel", ("send-test", "nope"), ("nope",)),
    Case("import-missing-file", ("import", "staff", "missing.csv"), ("missing.csv",)),
    Case("unknown-command", ("frobnicate",), ("frobnicate",)),
    Case("config-file-missing", ("--config", "no-such-config.toml", "check"), ("no-such-config.toml",)),
]

CASES = CONFIG_CASES + TEMPLATE_CASES + DATA_CASES + CLI_CASES


def invoke(folder: Path, args: tuple[str, ...], config: str = "config.toml") -> tuple[int, str]:
    runner = CliRunner()
    chdir = pytest.MonkeyPatch()
    chdir.chdir(folder)
    try:
        options = () if "--config" in args else ("--config", config)
        result = runner.invoke(main, [*options, *args], env={"SAFEDUTY_USER": "tester"})
    finally:
        chdir.undo()
    output = result.output + (f"\n{result.exception!r}" if result.exception and result.exit_code != 2 else "")
    return result.exit_code, output


def checksum(database: Path) -> str:
    with sqlite3.connect(database) as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The shipped config and examples, with staff, enterprises, hazards and March's roster in the database."""
    folder = tmp_path_factory.mktemp("shipped")
    shutil.copy(ROOT / "config.toml", folder / "config.toml")
    shutil.copytree(ROOT / "examples", folder / "examples")
    for args in (("db", "upgrade"), ("import", "staff", "examples/staff.csv"),
                 ("import", "enterprises", "examples/enterprises.csv"),
                 ("hazard", "import", "examples/hazards.csv", "--by", "t"),
                 ("roster", "generate", "--from", "2026-03-01", "--to", "2026-03-31", "--past", "--by", "t")):
        code, output = invoke(folder, args)
        assert code == 0, output
    yield folder


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_naming_the_problem_with_exit_code_2_and_nothing_changed(
    shipped: Path, case: Case, figures: Figures
) -> None:
    database = shipped / "var" / "safeduty.db"
    for name, content in case.files.items():
        path = shipped / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    config = "config.toml"
    if case.config is not None:
        config = f"config-{case.id}.toml"
        (shipped / config).write_text(case.config((shipped / "config.toml").read_text(encoding="utf-8")),
                                      encoding="utf-8")
    before = checksum(database)
    try:
        code, output = invoke(shipped, case.args, config)
    finally:
        for name in case.files:
            (shipped / name).unlink()
    assert code == 2, output
    assert "Traceback" not in output and "NoneType" not in output, output
    for text in case.expect:
        assert text in output, f"{text!r} not named in:\n{output}"
    assert checksum(database) == before, f"the database changed:\n{output}"
    Figures(figures.store, "test_bad_input").record(cases=len(CASES))
