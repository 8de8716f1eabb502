"""Render an outbox message with its template, as it is sent (and as `simulate` shows it)."""

from __future__ import annotations

from jinja2 import TemplateError

from scheduler.channels.base import DeliveryError, Outcome, Rendered
from scheduler.config.schema import Config
from scheduler.outbox.models import OutboxMessage
from scheduler.outbox.planned import Mention, short_ref
from scheduler.receipts.links import receipt_context
from scheduler.rendering import Renderer


def render(renderer: Renderer, config: Config, message: OutboxMessage, *, late: bool) -> Rendered:
    """Render ``message`` and keep what was rendered on it (stored when the attempt settles)."""
    context = {
        **message.context,
        "bureau": config.service.bureau,
        "office": config.service.office,
        "recipient_name": message.recipient_name,
        "ref": short_ref(message.key),
        "due_at": message.due_at.isoformat(),
        "late": late,
        **receipt_context(config, message),  # the receipt link (receipts: scheduler/receipts/links.py)
    }
    try:
        parts = renderer.render(message.kind, context)
    except TemplateError as exc:
        raise DeliveryError(Outcome.PERMANENT, f"template {message.kind}: {exc}") from None
    message.subject, message.body_text = parts.subject, parts.text
    message.body_html, message.body_markdown = parts.html, parts.markdown
    return Rendered(
        key=message.key,
        ref=context["ref"],
        kind=message.kind,
        recipient_name=message.recipient_name,
        address=message.address,
        mentions=tuple(Mention(**m) for m in message.mentions),
        subject=parts.subject,
        text=parts.text,
        html=parts.html,
        markdown=parts.markdown,
        due_at=context["due_at"],
    )
