"""``[messages]``: what every message signs with, and which audiences may be empty.

- ``signature``: the one sign-off line of every message (「山西省文化和旅游厅安全生产工作领导小组办公室」),
  followed by the message's reference (编号). Empty: the bureau's and the office's names from
  ``[service]``, the form the bureau's own documents use.
- ``allow_empty``: groups (and ``supervisor``, the hazard audience) that `safeduty check` may find
  with nobody in them without failing. Dead-letter reports (``delivery.admins``) and hazard
  escalations depend on their audiences: `check` fails when one of them reaches nobody, unless
  it is named here on purpose (a small office without 厅领导 in the staff file, say).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MessagesConfig:
    signature: str = ""
    allow_empty: tuple[str, ...] = ()

    def sign(self, bureau: str, office: str) -> str:
        return self.signature.strip() or f"{bureau}{office}"
