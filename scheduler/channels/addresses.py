"""The private-address policy of HTTP channels (config ``security.refuse_private_urls``).

With the policy on, a channel connects only to public addresses: the host of its URL is
resolved when the connection is made and every address it resolves to must be global, and the
socket is opened to the address that was checked, so a DNS answer that changes between the
check and the connection (rebinding) cannot slip through. Refused: loopback, private ranges,
link-local (169.254.169.254, fd00:ec2::254: cloud metadata), shared, reserved and multicast
ranges, IPv4 mapped into IPv6, and URLs carrying a user name or password. A channel that must
reach an intranet host says ``allow_private = true``.

Through a proxy the connection goes to the proxy, which resolves the host itself: the URL's
host is then checked as this machine resolves it, just before each request (best effort).
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from typing import Any, TypeVar

from requests.adapters import HTTPAdapter
from urllib3 import connection as urllib3_connection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

HINT = "set allow_private = true on the channel to allow it"


class AddressRefused(OSError):
    """A connection the policy refuses; its text names the host and the address, never the URL."""


def refusal(address: str) -> str | None:
    """Why ``address`` (an IP) is refused, or None when it is a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return None
    for kind, test in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                       ("private", ip.is_private), ("multicast", ip.is_multicast)):
        if test:
            return f"a {kind} address"
    return "not a public address"


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (raises socket.gaierror)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_host(host: str, port: int) -> list[str]:
    """The addresses of ``host``, all of them public; raises AddressRefused otherwise."""
    addresses = resolve(host, port)
    for address in addresses:
        why = refusal(address)
        if why is not None:
            raise AddressRefused(f"{host} resolves to {address}, {why}: refused ({HINT})")
    return addresses


def url_refusal(url: str) -> str | None:
    """What the policy refuses in ``url`` before any connection: a user name or password."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None:
        return f"the url carries a user name or password: refused ({HINT})"
    return None


def check_url(url: str) -> None:
    """The whole check for one request (used when going through a proxy)."""
    why = url_refusal(url)
    if why is not None:
        raise AddressRefused(why)
    parts = urllib.parse.urlsplit(url)
    check_host(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))


class _Guarded:
    """Opens the socket to the checked address instead of letting urllib3 resolve the host again."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        try:
            addresses = check_host(self._dns_host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        last: OSError | None = None
        for address in addresses:
            try:
                return urllib3_connection.connection.create_connection(
                    (address, self.port), self.timeout, source_address=self.source_address,
                    socket_options=self.socket_options)
            except OSError as exc:
                last = exc
        assert last is not None
        raise last


class _GuardedHTTPConnection(_Guarded, urllib3_connection.HTTPConnection):
    pass


class _GuardedHTTPSConnection(_Guarded, urllib3_connection.HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections apply the policy (for targets reached without a proxy)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


E = TypeVar("E", bound=BaseException)


def refused_in(exc: BaseException) -> AddressRefused | None:
    """The AddressRefused that a requests/urllib3 error wraps, if any."""
    return wrapped_in(exc, AddressRefused)


def wrapped_in(exc: BaseException, kind: type[E]) -> E | None:
    """The first ``kind`` that a requests/urllib3 error wraps (its reason, cause, context or
    arguments, at any depth), if any."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kind):
            return item
        todo += [getattr(item, "reason", None), item.__cause__, item.__context__, *item.args]
    return None
