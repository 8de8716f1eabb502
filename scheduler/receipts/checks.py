"""What `safeduty check` verifies of [receipts]: the signing key, the key periods named, and that
every kind asking for a receipt shows its link."""

from __future__ import annotations

import datetime as dt
import json

from jinja2 import TemplateError

from scheduler import keys
from scheduler.config import LoadedConfig
from scheduler.rendering import BUILTIN_TEMPLATES, Renderer

PROBE_URL = "https://probe.invalid/r/0.0.AAAAAAAAAAAAAAAAAAAAAA"


def check_receipts(loaded: LoadedConfig, report: object) -> None:
    config = loaded.config
    settings = config.receipts
    problems: list[str] = report.problems  # type: ignore[attr-defined]
    warnings: list[str] = report.warnings  # type: ignore[attr-defined]
    for index, ident in enumerate(settings.zero_report.key_periods):
        if ident not in config.key_periods.periods:
            known = ", ".join(sorted(config.key_periods.periods)) or "none defined"
            problems.append(f"receipts.zero_report.key_periods[{index}]: no key period {ident!r} under "
                            f"[key_periods.periods] ({known})")
    asking = {kind for kind, spec in settings.kinds.items() if spec.receipt != "none"}
    if not asking:
        return
    if keys.needs_setting(loaded, "receipts.key", settings.key) is not None:
        problems.append('receipts.key: must be set on PostgreSQL (every replica must sign receipt links alike; a '
                        'generated key file would differ per machine): key = "${SAFEDUTY_RECEIPT_KEY}" and export '
                        "a random value such as `openssl rand -base64 32`")
    if not config.web.base_url:
        warnings.append("web.base_url is empty: messages asking for a receipt go out without their link")
    service = config.service
    override = loaded.resolve(service.templates) if service.templates else None
    renderer = Renderer(service.zone, override if override and override.is_dir() else None,
                        keys.compiled_templates(loaded))
    kinds = set(renderer.kinds())
    for kind in sorted(asking):
        if kind not in kinds:
            problems.append(f'receipts.kinds."{kind}": no templates for message kind {kind!r}')
            continue
        sample = BUILTIN_TEMPLATES / f"{kind}.sample.json"
        if override is not None and (override / f"{kind}.sample.json").exists():
            sample = override / f"{kind}.sample.json"
        if not sample.exists():
            continue  # check_templates reports the missing sample
        context = {"bureau": service.bureau, "office": service.office, "recipient_name": "张三", "ref": "A1B2C3",
                   "due_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat(), "late": False,
                   **json.loads(sample.read_text(encoding="utf-8")),
                   "receipt_url": PROBE_URL, "receipt_mode": settings.kinds[kind].receipt, "receipt_form": "confirm",
                   "receipt_expires": "", "receipt_names_person": False}
        try:
            text = renderer.render(kind, context).text
        except TemplateError:
            continue  # check_templates reports it
        if PROBE_URL not in text:
            problems.append(f'receipts.kinds."{kind}": its text template does not show the receipt link; add '
                            '{% include "receipts/_link.text.j2" %} to templates/' + kind + ".text.j2")
