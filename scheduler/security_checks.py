"""What `safeduty check` says about [security]: URLs the private-address policy would refuse,
a fingerprint key PostgreSQL lacks, state files others could read. Warnings only: none of
these stops the service."""

from __future__ import annotations

import socket
import stat
import urllib.parse

from scheduler.channels.addresses import refusal, resolve, url_refusal
from scheduler.config import LoadedConfig
from scheduler.config.channels import ChannelConfig
from scheduler.dburl import is_sqlite, sqlite_path


def check_security(loaded: LoadedConfig, report: object) -> None:
    warnings: list[str] = report.warnings  # type: ignore[attr-defined]
    security = loaded.config.security
    if security.refuse_private_urls:
        for name, spec in sorted(loaded.config.channels.items()):
            warnings += [f"channels.{name}.url: {w}" for w in _policy_warnings(spec)]
    if not security.fingerprint_key and not is_sqlite(loaded.database_url):
        warnings.append("security.fingerprint_key is not set: on PostgreSQL the stored digest of each "
                        "channel's settings then leaves the secrets out, so a changed token alone does "
                        "not clear an unhealthy channel (`safeduty outbox targets --reset NAME` does); "
                        'set it, e.g. fingerprint_key = "${SAFEDUTY_FINGERPRINT_KEY}"')
    warnings += _permission_warnings(loaded)


def _policy_warnings(spec: ChannelConfig) -> list[str]:
    url = getattr(spec, "url", "")
    if not url or getattr(spec, "allow_private", True) or getattr(spec, "proxy", ""):
        return []
    why = url_refusal(url)
    if why is not None:
        return [why]
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = resolve(host, parts.port or 443)
    except socket.gaierror:
        return [f"{host} does not resolve from this machine"]
    return [f"{host} resolves to {a}, {why}: messages would be refused (set allow_private = true "
            "on the channel to allow it)" for a in addresses if (why := refusal(a)) is not None]


def _permission_warnings(loaded: LoadedConfig) -> list[str]:
    path = sqlite_path(loaded.database_url)
    found = []
    for item in ([path.parent, path] if path is not None else []):
        if item.exists() and stat.S_IMODE(item.stat().st_mode) & 0o077:
            mode = stat.S_IMODE(item.stat().st_mode)
            wanted = "700" if item.is_dir() else "600"
            found.append(f"{item} can be read by other users (mode {mode:o}): it holds every contact's "
                         f"mobile and e-mail; `chmod {wanted} {item}`")
    return found
