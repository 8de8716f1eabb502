"""Claim due outbox rows, render them, send them through their channel, record the outcome.

A pass (``run.Dispatcher.dispatch_due``) expires what is overdue and frees claims whose worker
vanished, then runs rounds of claim → send → settle until nothing more may go now:

- ``claim``: a round claims within every target's budget and skips paused or unhealthy targets
  (waiting is done by scheduling, never by sleeping); a bot whose backlog exceeds what it may
  take within ``merge_horizon`` has it merged into digests first;
- ``send``: each target's messages are sent in order on a worker thread of their own, so a slow
  target delays only itself; after a throttle or a target-wide failure the rest of its messages
  are released unattempted and the target is paused; ``render`` makes each message's text;
- ``settle``: each outcome is recorded as soon as its send returns, fenced on its claim (what
  other targets' workers finished meanwhile goes in the same commit), and a worker sends its
  next message only once the last is recorded: a crash repeats at most one message per worker.
"""

from scheduler.dispatch.run import Dispatcher

__all__ = ["Dispatcher"]
