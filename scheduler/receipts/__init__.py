"""Receipts (回执), daily zero reports (零报告) and the handover log (交接班): what comes back.

The small public API other areas use (the warnings re-send unconfirmed warnings with it):

- ``record(session, ask, message_key, recipient_key, answer, now)`` records a receipt once;
- ``lookup(session, message_key)`` is the receipt settling that message's task, or None;
- ``outstanding(session, topic, kind=None, sent_before=None)`` lists the messages sent about a
  topic whose task has no receipt yet;
- ``ask_of_row(config, row)`` says what an outbox row asks of its recipient (an ``Ask``).

See docs/receipts.md.
"""

from scheduler.receipts.links import ask_of_row
from scheduler.receipts.models import Entry, Receipt
from scheduler.receipts.policy import Ask
from scheduler.receipts.store import Answer, ReceiptError, Recorded, lookup, outstanding, record

__all__ = ["Answer", "Ask", "Entry", "Receipt", "ReceiptError", "Recorded", "ask_of_row", "lookup", "outstanding",
           "record"]
