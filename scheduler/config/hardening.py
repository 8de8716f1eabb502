"""``[security]``: what the service accepts and how it guards what it keeps.

- ``fingerprint_key``: keys the digest of each channel's settings kept in the database
  (``delivery_target.fingerprint``, which tells a fixed config from the one that failed). With a
  key nobody can test guessed passwords or tokens against that digest. Empty: a key generated
  once into the state folder (SQLite); on PostgreSQL, set it, or the digest leaves the secrets
  out (then a changed token alone does not clear an unhealthy channel: `outbox targets --reset`).
- ``refuse_private_urls``: HTTP channels refuse, at connect time, addresses that are not public
  (loopback, private ranges, link-local such as 169.254.169.254 or fd00:ec2::254) and URLs with
  a user name or password, unless the channel says ``allow_private = true``. Off by default: a
  bureau's own platform often lives on an intranet address.
- ``[security.imports]``: the largest data file an import reads, and its most rows; a bigger
  file is refused at once with a clear error instead of holding the database for minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scheduler.config.typed import Secret


@dataclass(frozen=True)
class ImportLimits:
    max_megabytes: int = 100  # a CSV's size; an XLSX's content once unpacked
    max_rows: int = 100_000

    def __post_init__(self) -> None:
        if self.max_megabytes < 1 or self.max_rows < 1:
            raise ValueError("max_megabytes and max_rows must be at least 1")

    @property
    def max_bytes(self) -> int:
        return self.max_megabytes * 1024 * 1024


@dataclass(frozen=True)
class SecurityConfig:
    fingerprint_key: Secret = Secret("")
    refuse_private_urls: bool = False
    imports: ImportLimits = field(default_factory=ImportLimits)
