"""One keep-alive HTTP connection per target, and how an HTTP answer is classified.

Sending goes through channels.transport (a lean keep-alive client on ``http.client``: why, and
what it guarantees, is said there) unless the channel names a proxy; proxied channels keep a
``requests`` session, which speaks to http, https and SOCKS proxies.

Reasons never contain the URL: for the bots the URL holds the credential (access_token, key,
hook id), and reasons are stored and shown by `safeduty outbox show`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import socket
import ssl
import time
import urllib.parse
from collections.abc import Callable, Mapping

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from scheduler.channels.addresses import (
    AddressRefused,
    GuardedAdapter,
    check_url,
    refused_in,
    url_refusal,
)
from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.transport import Answer, ConnectFailed, Connection, tls_context
from scheduler.config.channels import _HttpChannelConfig
from scheduler.redaction import summary

USER_AGENT = "safeduty/0.1"
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
CONFIG_STATUSES = frozenset({401, 403, 404, 410})  # the target is gone or refuses us: fix the config


class HttpClient:
    def __init__(self, spec: _HttpChannelConfig, wall: Callable[[], float] = time.time, *,
                 refuse_private: bool = False) -> None:
        session = requests.Session()
        # Environment proxy and netrc look-ups cost about a third of the CPU of a request; a proxy
        # is named explicitly in config instead.
        session.trust_env = False
        if spec.proxy:
            session.proxies = {"http": spec.proxy, "https": spec.proxy}
        session.verify = spec.verify_tls
        # The private-address policy (channels.addresses): checked as each connection is made,
        # or, through a proxy (which resolves the host itself), before each request.
        self.refuse_private = refuse_private and not spec.allow_private
        self.check_before = self.refuse_private and bool(spec.proxy)
        guarded = self.refuse_private and not spec.proxy
        adapter = (GuardedAdapter if guarded else HTTPAdapter)(pool_connections=1, pool_maxsize=1, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self.session = session
        self.adapter = adapter
        self.verify = spec.verify_tls
        self.timeout = (spec.connect_timeout.total_seconds(), spec.timeout.total_seconds())
        self.wall = wall
        self._url: tuple[str, str] = ("", "")
        self.lean = not spec.proxy
        self._context: ssl.SSLContext | None = None
        self._connection: Connection | None = None
        self._target: tuple[str, tuple[str, str, int], str] = ("", ("", "", 0), "")

    def post(self, url: str, body: bytes, headers: Mapping[str, str] = JSON_HEADERS) -> Answer | requests.Response:
        """POST ``body`` once (no redirects, no retries); transport failures become DeliveryError."""
        if self.lean:
            return self._post_lean(url, body, headers)
        return self._post_requests(url, body, headers)

    def _post_lean(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        connect_timeout, read_timeout = self.timeout
        try:
            origin, target = self._split(url)
            if self.refuse_private and (why := url_refusal(url)):
                raise DeliveryError(Outcome.CONFIG, why)
            connection = self._connection
            if connection is None or (connection.scheme, connection.host, connection.port) != origin:
                if connection is not None:
                    connection.close()
                if origin[0] == "https" and self._context is None:
                    self._context = tls_context(self.verify)
                connection = self._connection = Connection(
                    *origin, connect_timeout=connect_timeout, read_timeout=read_timeout,
                    guard=self.refuse_private, context=self._context)
            return connection.post(target, body, headers)
        except ConnectFailed as failed:
            cause = failed.__cause__
            if isinstance(cause, AddressRefused):
                raise DeliveryError(Outcome.CONFIG, str(cause)) from None
            if isinstance(cause, socket.timeout):
                raise DeliveryError(Outcome.TRANSIENT, f"could not connect within {connect_timeout:g}s") from None
            if isinstance(cause, socket.gaierror):
                raise DeliveryError(Outcome.TRANSIENT, "connection failed: the url's host could not be resolved") from None
            raise DeliveryError(Outcome.TRANSIENT, f"connection failed: {_cause(cause or failed)}") from None
        except ssl.SSLCertVerificationError:
            raise DeliveryError(Outcome.CONFIG, "TLS certificate verification failed") from None
        except ssl.SSLError:
            raise DeliveryError(Outcome.TRANSIENT, "TLS handshake failed") from None
        except TimeoutError:
            raise DeliveryError(
                Outcome.TRANSIENT, f"no answer within {read_timeout:g}s (the message may have arrived)"
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise DeliveryError(Outcome.TRANSIENT, f"connection failed: {_cause(exc)}") from None
        except ValueError as exc:  # a header or the path holds what HTTP cannot carry (never sent)
            raise DeliveryError(Outcome.PERMANENT, f"request could not be made: {exc}") from None

    def _split(self, url: str) -> tuple[tuple[str, str, int], str]:
        """((scheme, host, port), request target) of ``url``, remembered for one URL (a signed bot
        URL changes with every request, but only in its query)."""
        if url == self._target[0]:
            return self._target[1], self._target[2]
        try:
            parts = urllib.parse.urlsplit(url)
            scheme, host, port = parts.scheme.lower(), parts.hostname or "", parts.port
        except ValueError:
            host, scheme, port = "", "", None
        if scheme not in ("http", "https") or not host or any(c in url for c in " \r\n\t"):
            # Never the URL itself: it holds the bot's token.
            raise DeliveryError(Outcome.CONFIG, "the url is not a valid URL (check host and port)")
        origin = (scheme, host, port or (443 if scheme == "https" else 80))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._target = (url, origin, target)
        return origin, target

    def _post_requests(self, url: str, body: bytes, headers: Mapping[str, str]) -> requests.Response:
        """POST through the proxy with requests.

        The request goes straight to the session's keep-alive adapter: ``Session.post`` would
        merge settings, cookies and hooks on every call, about a third of its CPU, for nothing
        that applies here. The request is assembled directly rather than by
        ``PreparedRequest.prepare`` (no cookies, auth or hooks apply; the URL is parsed once).
        """
        request = requests.PreparedRequest()
        request.method = "POST"
        request.headers = CaseInsensitiveDict(headers)
        request.prepare_body(body, None)
        try:
            request.url = self._prepared_url(url)
            if self.refuse_private and (why := url_refusal(url)):
                raise AddressRefused(why)
            if self.check_before:
                check_url(url)
            response = self.adapter.send(request, timeout=self.timeout, verify=self.verify,
                                         proxies=self.session.proxies)
            _ = response.content  # read it all, so the connection goes back to the pool
            return response
        except requests.exceptions.SSLError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise DeliveryError(Outcome.CONFIG, "TLS certificate verification failed") from None
            raise DeliveryError(Outcome.TRANSIENT, "TLS handshake failed") from None
        except requests.exceptions.ConnectTimeout:
            raise DeliveryError(Outcome.TRANSIENT, f"could not connect within {self.timeout[0]:g}s") from None
        except requests.exceptions.ReadTimeout:
            raise DeliveryError(
                Outcome.TRANSIENT, f"no answer within {self.timeout[1]:g}s (the message may have arrived)"
            ) from None
        except AddressRefused as exc:
            raise DeliveryError(Outcome.CONFIG, str(exc)) from None
        except requests.exceptions.ConnectionError as exc:
            if (refused := refused_in(exc)) is not None:
                raise DeliveryError(Outcome.CONFIG, str(refused)) from None
            raise DeliveryError(Outcome.TRANSIENT, f"connection failed: {_cause(exc)}") from None
        except requests.exceptions.InvalidURL:
            # Never the exception's text: it quotes the URL, and the URL holds the bot's token.
            raise DeliveryError(Outcome.CONFIG, "the url is not a valid URL (check host and port)") from None
        except requests.exceptions.RequestException as exc:  # a bad proxy setting
            raise DeliveryError(Outcome.CONFIG, f"request could not be made: {summary(exc)}") from None
        except OSError:  # checked before a proxied request: the url's host did not resolve
            raise DeliveryError(Outcome.TRANSIENT, "connection failed: the url's host could not be resolved") from None

    def _prepared_url(self, url: str) -> str:
        """``url`` as requests normalises it, worked out once per URL (parsing it costs about as
        much as the rest of preparing the request); one URL remembered: a signed bot URL
        changes with every request."""
        if url != self._url[0]:
            prepared = requests.PreparedRequest()
            prepared.prepare_url(url, None)
            self._url = (url, prepared.url or url)
        return self._url[1]

    def check_status(self, response: Answer | requests.Response) -> None:
        """Raise DeliveryError unless the answer is 2xx."""
        status = response.status_code
        if 200 <= status < 300:
            return
        reason = f"HTTP {status}: {snippet(response)}"
        if 300 <= status < 400:
            raise DeliveryError(Outcome.CONFIG, f"HTTP {status}: redirected; point url at the final address")
        if status == 429:
            raise DeliveryError(Outcome.THROTTLED, reason, self.retry_after(response))
        if status == 408 or status >= 500:
            raise DeliveryError(Outcome.TRANSIENT, reason, self.retry_after(response))
        if status in CONFIG_STATUSES:
            raise DeliveryError(Outcome.CONFIG, reason)
        raise DeliveryError(Outcome.PERMANENT, reason)

    def bot_answer(self, response: Answer | requests.Response) -> dict[str, object]:
        """A chat bot's answer: bots say HTTP 200 even when they refuse, so the code in the
        body decides; any other status is classified as for every HTTP target."""
        if response.status_code != 200:
            self.check_status(response)
        return body_json(response)

    def retry_after(self, response: Answer | requests.Response) -> dt.timedelta | None:
        """Retry-After as seconds or as an HTTP date (measured against the answer's own Date)."""
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return None
        if value.isdigit():
            return dt.timedelta(seconds=int(value))
        try:
            when = email.utils.parsedate_to_datetime(value)
            date = response.headers.get("Date")
            now = email.utils.parsedate_to_datetime(date) if date else dt.datetime.fromtimestamp(self.wall(), dt.UTC)
        except (TypeError, ValueError):
            return None
        return max(dt.timedelta(0), _aware(when) - _aware(now))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self.session.close()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)  # "-0000" means UTC


def snippet(response: Answer | requests.Response, limit: int = 300) -> str:
    text = response.content[:limit].decode("utf-8", "replace").strip()
    return text or response.reason or "(empty body)"


def body_json(response: Answer | requests.Response) -> dict[str, object]:
    """The JSON object a bot answered, or a transient error when the answer is not one (a proxy's
    error page, a truncated answer)."""
    try:
        value = response.json()
    except ValueError:
        raise DeliveryError(Outcome.TRANSIENT, f"HTTP {response.status_code}: not a JSON answer: {snippet(response)}") from None
    if not isinstance(value, dict):
        raise DeliveryError(Outcome.TRANSIENT, f"HTTP {response.status_code}: unexpected answer: {snippet(response)}")
    return value


def _cause(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Connection reset", "Name or service not known", "Remote end closed",
                   "Connection aborted", "timed out"):
        if marker.lower() in text.lower():
            return marker.lower()
    return type(exc).__name__
