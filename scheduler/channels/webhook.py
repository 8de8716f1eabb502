"""Generic JSON webhook, signed per the Standard Webhooks specification (v1).

``webhook-id`` is the outbox key, the same on every retry, so a receiver can drop duplicates;
``webhook-timestamp`` is this attempt's Unix time in seconds; ``webhook-signature`` is
``v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`` where key is the base64-decoded part of the
``whsec_`` secret (one signature per secret while secrets rotate). Any 2xx is success.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from scheduler.channels.base import Rendered
from scheduler.channels.http import JSON_HEADERS, HttpClient
from scheduler.channels.text import fit_json
from scheduler.config.channels import WebhookChannelConfig

MAX_BODY_BYTES = 20000  # the specification asks senders to stay under 20 KB
EVENT_TYPE = "safeduty.message"


def webhook_id(key: str) -> str:
    """The key itself, percent-encoding what a header cannot carry and the "." the spec forbids."""
    return urllib.parse.quote(key, safe=":/@-_~!$&'()*+,;=").replace(".", "%2E")


def signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    return _signature(_keyed(secret), msg_id, timestamp, body)


def _keyed(secret: str) -> hmac.HMAC:
    """An HMAC keyed with the secret's decoded bytes, to be copied for each message (the key
    is decoded and hashed into the HMAC's pads once per channel, not once per message)."""
    return hmac.new(base64.b64decode(secret.removeprefix("whsec_")), digestmod=hashlib.sha256)


def _signature(keyed: hmac.HMAC, msg_id: str, timestamp: str, body: bytes) -> str:
    mac = keyed.copy()
    mac.update(f"{msg_id}.{timestamp}.".encode())
    mac.update(body)
    return "v1," + base64.b64encode(mac.digest()).decode()


class WebhookChannel:
    def __init__(self, name: str, spec: WebhookChannelConfig, wall: Callable[[], float] = time.time,
                 *, refuse_private: bool = False) -> None:
        self.name = name
        self.spec = spec
        self.secrets = spec.secret.split()
        self._keys = [_keyed(s) for s in self.secrets]
        self.http = HttpClient(spec, wall, refuse_private=refuse_private)
        self.wall = wall

    def payload(self, message: Rendered, text: str) -> dict[str, Any]:
        full = message.text
        return {
            "type": EVENT_TYPE,
            "timestamp": message.due_at,
            "data": {
                "key": message.key,
                "ref": message.ref,
                "kind": message.kind,
                "recipient": message.recipient_name,
                "address": message.address,
                "mentions": [{"name": m.name, "mobile": m.mobile, "open_id": m.open_id} for m in message.mentions],
                "subject": message.subject,
                "text": text,
                "markdown": message.markdown if text == full else "",
                "truncated": text != full,
            },
        }

    def send(self, message: Rendered) -> str:
        body = fit_json(lambda text: self.payload(message, text), message.text, MAX_BODY_BYTES)
        msg_id = webhook_id(message.key)
        timestamp = str(int(self.wall()))
        headers = {
            **JSON_HEADERS,
            "webhook-id": msg_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": " ".join(_signature(k, msg_id, timestamp, body) for k in self._keys),
        }
        response = self.http.post(self.spec.url, body, headers)
        self.http.check_status(response)
        return f"HTTP {response.status_code}"

    def end_batch(self) -> None:
        pass

    def close(self) -> None:
        self.http.close()
