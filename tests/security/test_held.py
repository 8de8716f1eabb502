"""What the security review found already holding, kept by a test each (issue 18's first
paragraph). Others are tested where their code is: redirects are not followed and the
environment's proxies ignored (tests/channels/test_webhook.py), TLS for e-mail with no
plaintext fallback (tests/channels/test_email.py), the bots' budget of 20 a minute under a
backlog (tests/test_dispatcher.py::test_a_bots_budget_is_honoured_by_scheduling), secrets
absent from every output, table and message (tests/security/test_canary.py)."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from jinja2.exceptions import SecurityError

from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.webhook import WebhookChannel
from scheduler.cli import main
from scheduler.config.channels import WebhookChannelConfig
from scheduler.config.typed import Secret
from scheduler.people.imports import read_enterprises, read_staff
from scheduler.rendering import Renderer
from scheduler.tabular import DataError
from tests.support.certs import make_certificate
from tests.support.delivery import rendered
from tests.support.project import make_project

ZONE = ZoneInfo("Asia/Shanghai")
ESCAPES = [  # well-known ways out of a Jinja2 template, each refused by the sandbox
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
]


def renderer_with(tmp_path: Path, text: str) -> Renderer:
    (tmp_path / "x").mkdir(exist_ok=True)
    (tmp_path / "x/note.subject.j2").write_text("标题", encoding="utf-8")
    (tmp_path / "x/note.text.j2").write_text(text, encoding="utf-8")
    (tmp_path / "x/note.html.j2").write_text("<p>{{ body }}</p>", encoding="utf-8")
    return Renderer(ZONE, tmp_path)


@pytest.mark.parametrize("escape", ESCAPES)
def test_the_sandbox_refuses_known_escapes(tmp_path: Path, escape: str) -> None:
    with pytest.raises(SecurityError):
        renderer_with(tmp_path, escape).render("x/note", {"body": ""})


def test_data_is_never_evaluated_as_a_template(tmp_path: Path) -> None:
    value = "{{ 7 * 7 }}{% for x in range(3) %}x{% endfor %}"
    parts = renderer_with(tmp_path, "{{ body }}").render("x/note", {"body": value})
    assert parts.text.strip() == value and "49" not in parts.text + parts.html + parts.markdown


def test_html_escapes_data(tmp_path: Path) -> None:
    html = renderer_with(tmp_path, "{{ body }}").render("x/note", {"body": '<script>alert("x")</script>'}).html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_malformed_workbook_is_refused(tmp_path: Path) -> None:
    for name, data in (("garbage.xlsx", b"not a zip at all"), ("empty.xlsx", b"PK\x05\x06" + b"\0" * 18)):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DataError) as failure:
            read_staff(path)
        assert "not a readable .xlsx workbook" in failure.value.problems[0]


def test_data_cannot_point_a_message_at_a_url_that_is_not_configured(tmp_path: Path) -> None:
    path = tmp_path / "enterprises.csv"
    path.write_text("编码,名称,类别,主要负责人,主要负责人手机,机器人通道\n"
                    "C1,景区,A级旅游景区,王一,13900000001,https://evil.example/hook\n", encoding="utf-8")
    with pytest.raises(DataError) as failure:
        read_enterprises(path, channels={"console"})
    assert "机器人通道: channel 'https://evil.example/hook' is not defined in config" in failure.value.problems[0]


def test_sql_in_names_and_options_is_only_text(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    staff = config.parent / "staff.csv"
    staff.write_text(staff.read_text(encoding="utf-8").replace("高峰", "高峰'); DROP TABLE staff;--"), encoding="utf-8")
    run = CliRunner().invoke
    person = run(main, ["--config", str(config), "roster", "show", "--person", "x' OR '1'='1"])
    assert person.exit_code == 2 and "Traceback" not in person.output
    hazards = run(main, ["--config", str(config), "hazard", "list", "--enterprise", "' OR 1=1 --", "--format", "json"])
    assert hazards.exit_code in (0, 2) and "Traceback" not in hazards.output
    named = run(main, ["--config", str(config), "roster", "show", "--person", "高峰'); DROP TABLE staff;--"])
    assert named.exit_code == 0, named.output  # the name is found as it was written, and the table is still there


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    cert, key = make_certificate(tmp_path / "tls")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_tls_is_verified_for_http_channels_with_no_plaintext_fallback(https_server: tuple[int, list[str]]) -> None:
    port, seen = https_server
    spec = WebhookChannelConfig(url=Secret(f"https://127.0.0.1:{port}/hooks"),
                                secret=Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                                timeout=dt.timedelta(seconds=5))
    with pytest.raises(DeliveryError) as failure:
        WebhookChannel("platform", spec).send(rendered())
    assert failure.value.outcome == Outcome.CONFIG and "certificate verification failed" in failure.value.reason
    assert seen == []  # nothing was sent, over TLS or otherwise
