"""deploy/nginx-safeduty.conf: accepted by `nginx -t`, and doing what docs/deployment.md says
when a real nginx runs it on 127.0.0.1 in front of a local server standing in for the web
interface (TLS with a throw-away certificate, the ports rewritten to free ones)."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.support.certs import make_certificate
from tests.support.observe import wait_until
from tests.support.project import ROOT

SITE = ROOT / "deploy" / "nginx-safeduty.conf"


def nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light): the example config is not checked")
    return found


class Upstream(ThreadingHTTPServer):
    """Answers every request with what it received, as JSON."""

    seen: list[dict[str, str]]


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        seen = {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
        self.server.seen.append(seen)  # type: ignore[attr-defined]
        body = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proxy:
    http: int
    https: int
    ca: str
    upstream: Upstream


def configure(folder: Path, upstream_port: int, http: int, https: int) -> Path:
    """The shipped site, on 127.0.0.1 and free ports, with a throw-away certificate, inside a
    minimal nginx.conf that keeps every file in ``folder``."""
    cert, key = make_certificate(folder / "tls")
    site = SITE.read_text(encoding="utf-8")
    for old, new in (("server 127.0.0.1:8080", f"server 127.0.0.1:{upstream_port}"),
                     ("listen 80;", f"listen 127.0.0.1:{http};"), ("listen 443 ssl", f"listen 127.0.0.1:{https} ssl"),
                     ("/etc/ssl/safeduty/fullchain.pem", cert), ("/etc/ssl/safeduty/privkey.pem", key)):
        assert old in site, old
        site = site.replace(old, new)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)  # no IPv6 here
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    main.write_text(f"""worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'};
events {{ worker_connections 64; }}
http {{
    access_log {folder / 'access.log'};
{temp}
    include {folder / 'site.conf'};
}}
""", encoding="utf-8")
    folder.chmod(0o755)  # nginx's workers (nobody) write their temporary files here
    return main


def test_nginx_accepts_the_example_config(tmp_path: Path) -> None:
    binary = nginx()
    main = configure(tmp_path, 8080, free_port(), free_port())
    result = subprocess.run([binary, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(main)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Proxy]:
    binary = nginx()
    upstream = Upstream(("127.0.0.1", 0), _Echo)
    upstream.seen = []
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    http, https = free_port(), free_port()
    main = configure(tmp_path, upstream.server_address[1], http, https)
    process = subprocess.Popen([binary, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(main),
                                "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        def listening() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"nginx exited: {process.stderr.read() if process.stderr else ''}")
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", https)) == 0

        wait_until(listening, 20, "nginx to listen")
        yield Proxy(http, https, str(tmp_path / "tls" / "cert.pem"), upstream)
    finally:
        process.terminate()
        process.wait(timeout=20)
        upstream.shutdown()
        upstream.server_close()


def test_plain_http_is_redirected_to_https(proxy: Proxy) -> None:
    answer = requests.get(f"http://127.0.0.1:{proxy.http}/board?day=2026-12-02", allow_redirects=False, timeout=10)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://127.0.0.1/board?day=2026-12-02"
    assert not proxy.upstream.seen


def test_https_reaches_the_web_interface_saying_who_asked_and_how(proxy: Proxy) -> None:
    answer = requests.get(f"https://127.0.0.1:{proxy.https}/board", verify=proxy.ca, timeout=10)
    assert answer.status_code == 200
    seen = answer.json()
    assert seen["path"] == "/board" and seen["host"] == "127.0.0.1"
    assert seen["x-forwarded-proto"] == "https" and seen["x-forwarded-for"] == "127.0.0.1"
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_metrics_are_never_served_through_the_public_address(proxy: Proxy) -> None:
    answer = requests.get(f"https://127.0.0.1:{proxy.https}/metrics", verify=proxy.ca, timeout=10)
    assert answer.status_code == 404
    assert not [s for s in proxy.upstream.seen if s["path"].startswith("/metrics")]


def test_an_oversized_request_is_refused_before_it_reaches_a_replica(proxy: Proxy) -> None:
    answer = requests.post(f"https://127.0.0.1:{proxy.https}/receipts", data=b"x" * (3 * 1024 * 1024),
                           verify=proxy.ca, timeout=30)
    assert answer.status_code == 413
    assert not proxy.upstream.seen
