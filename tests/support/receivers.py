"""Webhook receivers for fault tests: one that works for a sender whose clock is moved, and one
that calls back on every delivery (to kill the sender at an exact moment).

A sender run under time-machine signs with its own (moved) time, which the Standard Webhooks
library would refuse as too old or too new. ``RecordingReceiver(secret, check_time=False)``
still checks the signature, with the library's own ``sign``, but not the clock.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any

from tests.support.servers import Answer, Request, WebhookReceiver


class RecordingReceiver(WebhookReceiver):
    def __init__(self, secret: str, port: int = 0, *, check_time: bool = True) -> None:
        super().__init__(secret, port)
        self.check_time = check_time
        self.arrivals: list[tuple[float, str]] = []  # (time.monotonic(), webhook-id), in order
        # Called with the number of deliveries so far, after the delivery is counted and before
        # it is answered: the sender's "sent, not yet recorded" moment.
        self.on_delivery: Callable[[int], object] | None = None

    def start(self) -> RecordingReceiver:
        super().start()
        server = self._server
        assert server is not None
        report = server.handle_error

        def handle_error(request: Any, client_address: Any) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed sender: expected here
                report(request, client_address)

        server.handle_error = handle_error  # type: ignore[method-assign]
        return self

    def handle(self, request: Request) -> Answer:
        if self.check_time:
            answer = super().handle(request)
        else:
            answer = self._verify_signature_only(request)
        if answer.status == 204:
            with self._lock:
                self.arrivals.append((time.monotonic(), request.headers["webhook-id"]))
                total = len(self.arrivals)
            if self.on_delivery is not None:
                self.on_delivery(total)
        return answer

    def _verify_signature_only(self, request: Request) -> Answer:
        headers = request.headers
        msg_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
        if not msg_id or not stamp.isdigit():
            self.rejected.append("missing headers")
            return Answer.json({"error": "missing headers"}, 400)
        moment = dt.datetime.fromtimestamp(int(stamp), dt.UTC)
        expected = self.verifier.sign(msg_id, moment, request.body.decode())
        if expected not in headers.get("webhook-signature", "").split(" "):
            self.rejected.append(f"bad signature for {msg_id}")
            return Answer.json({"error": "bad signature"}, 401)
        payload: Any = request.json()
        with self._lock:
            self.counts[msg_id] += 1
            self.payloads.append(payload)
        return Answer(204)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def duplicate_deliveries(self) -> int:
        """Deliveries beyond the first of each key."""
        with self._lock:
            return sum(n - 1 for n in self.counts.values() if n > 1)
