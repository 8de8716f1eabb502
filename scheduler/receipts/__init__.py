"""Receipts (回执), daily zero reports (零报告) and the handover log (交接班): what comes back.

The small public API other areas use (the warnings re-send unconfirmed warnings with it):

- ``record(session, ask, message_key, recipient_key, answer, now)`` records a receipt once;
- ``lookup(session, message_key)`` is the receipt settling that message's task, or None;
- ``outstanding(session, topic, kind=None, sent_before=None)`` lists the messages sent about a
  topic whose task has no receipt yet;
- ``ask_of_row(config, row)`` says what an outbox row asks of its recipient (an ``Ask``).

See docs/receipts.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names __getattr__ loads, for type checkers
    from scheduler.receipts.links import ask_of_row  # noqa: F401
    from scheduler.receipts.models import Entry, Receipt  # noqa: F401
    from scheduler.receipts.policy import Ask  # noqa: F401
    from scheduler.receipts.store import Answer, ReceiptError, Recorded, lookup, outstanding, record  # noqa: F401

# Where each name of the API lives. Loaded on first use, so that `safeduty check`, which imports
# scheduler.receipts.checks, does not import the receipt tables (and SQLAlchemy) with the package.
_API = {"ask_of_row": "links", "Entry": "models", "Receipt": "models", "Ask": "policy", "Answer": "store",
        "ReceiptError": "store", "Recorded": "store", "lookup": "store", "outstanding": "store", "record": "store"}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_API[name]}"), name)
