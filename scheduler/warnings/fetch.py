"""One GET of a feed or of a document it links to: conditional, size-limited, timed out, and under
the project's private-address policy (``security.refuse_private_urls``, ``channels.addresses``).

A failure raises ``FetchError(kind, detail)``: ``kind`` is one of ``KINDS`` (what the admins'
report names), ``detail`` says more for the log.  Neither ever holds the url: a mirror's url may
carry a token in its query.
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass

import requests
import urllib3
from requests.adapters import HTTPAdapter

from scheduler.channels.addresses import GuardedAdapter, refused_in, url_refusal, wrapped_in
from scheduler.config.warnings import FeedConfig

USER_AGENT = "safeduty/0.1 (CAP feed)"
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
WHOLE_ANSWER = 4  # a whole answer may take this many read timeouts

# kind -> how the admins' report says it
KINDS = {
    "refused": "连接被拒绝（服务未运行或端口未开放）",
    "connect": "无法连接（地址无法解析或网络不通）",
    "timeout": "超时未响应",
    "http": "服务器返回错误状态",
    "too_large": "内容超过大小限制",
    "address": "地址被安全策略拒绝（内网地址需设置 allow_private = true）",
    "tls": "TLS 证书或握手失败",
    "unparseable": "内容无法识别（不是 CAP 文档、Atom/RSS 列表或目录列表）",
}


class FetchError(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 (not modified: ``body`` is empty)
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    modified: str = ""
    url: str = ""  # after redirects (links are resolved against it)


def guarded(feed: FeedConfig, *, refuse_private: bool) -> bool:
    """Whether the private-address policy applies to ``feed`` (``allow_private`` exempts it)."""
    return refuse_private and not feed.allow_private


def session_for(feed: FeedConfig, *, guarded: bool) -> requests.Session:
    """A session for one feed; when ``guarded``, the private-address policy is checked as each
    connection is made."""
    session = requests.Session()
    session.trust_env = False  # the environment's proxies and netrc are not asked
    session.max_redirects = MAX_REDIRECTS
    session.verify = feed.verify_tls
    adapter = (GuardedAdapter if guarded else HTTPAdapter)(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def get(session: requests.Session, url: str, feed: FeedConfig, max_bytes: int, *, etag: str = "",
        modified: str = "", guarded: bool = False) -> Fetched:
    """GET ``url``: If-None-Match / If-Modified-Since when given; at most ``max_bytes`` read."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError("address", "only http:// and https:// are fetched")
    if guarded and (why := url_refusal(url)):
        raise FetchError("address", why)
    headers = {"Accept-Encoding": "identity"}  # the size limit counts what is kept, no gzip bomb
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    timeout = (feed.connect_timeout.total_seconds(), feed.timeout.total_seconds())
    try:
        with session.get(url, headers=headers, timeout=timeout, stream=True) as answer:
            if answer.status_code == 304:
                return Fetched(304, url=answer.url)
            if answer.status_code != 200:
                raise FetchError("http", f"HTTP {answer.status_code}")
            length = answer.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchError("too_large", f"{length} bytes, over the limit of {max_bytes} ([warnings] max_bytes)")
            body = bytearray()
            # The read timeout bounds each wait; a server trickling bytes never trips it, so the
            # whole answer has a limit too (an I/O deadline: socket time, not the service clock).
            deadline = time.monotonic() + WHOLE_ANSWER * feed.timeout.total_seconds()
            while chunk := answer.raw.read1(CHUNK, decode_content=True):  # what has arrived, not a full chunk
                body += chunk
                if time.monotonic() > deadline:
                    raise FetchError("timeout", f"the answer took longer than {WHOLE_ANSWER} × "
                                                f"{feed.timeout.total_seconds():g}s")
                if len(body) > max_bytes:
                    raise FetchError("too_large", f"over the limit of {max_bytes} bytes ([warnings] max_bytes)")
            return Fetched(200, bytes(body), answer.headers.get("Content-Type", ""),
                           answer.headers.get("ETag", ""), answer.headers.get("Last-Modified", ""), answer.url)
    except FetchError:
        raise
    except requests.exceptions.SSLError:
        raise FetchError("tls", "TLS certificate verification or handshake failed") from None
    except (TimeoutError, requests.exceptions.Timeout, urllib3.exceptions.TimeoutError):  # urllib3's: the body
        raise FetchError("timeout", f"no answer within {feed.timeout.total_seconds():g}s "
                                    f"(connect {feed.connect_timeout.total_seconds():g}s)") from None
    except requests.exceptions.TooManyRedirects:
        raise FetchError("http", f"more than {MAX_REDIRECTS} redirects") from None
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError, ssl.SSLError) as exc:
        refused = refused_in(exc)
        if refused is not None:
            raise FetchError("address", str(refused).replace("on the channel", "on the feed")) from None
        if wrapped_in(exc, ConnectionRefusedError) is not None:
            raise FetchError("refused", "connection refused") from None
        raise FetchError("connect", f"connection failed ({type(exc).__name__})") from None

