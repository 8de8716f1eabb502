"""One module per channel type; ``build_channels`` turns [channels.*] config into objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scheduler.channels.base import Channel
from scheduler.channels.console import ConsoleChannel
from scheduler.channels.dingtalk import DingtalkChannel
from scheduler.channels.email import EmailChannel
from scheduler.channels.feishu import FeishuChannel
from scheduler.channels.webhook import WebhookChannel
from scheduler.channels.wecom import WecomChannel
from scheduler.config import LoadedConfig
from scheduler.config.channels import fingerprint

# type -> factory(name, channel config, loaded config)
REGISTRY: dict[str, Callable[[str, Any, LoadedConfig], Channel]] = {
    "console": lambda name, spec, loaded: ConsoleChannel(name, loaded.resolve(spec.path)),
    "email": lambda name, spec, loaded: EmailChannel(
        name, spec, str(loaded.resolve(spec.ca_file)) if spec.ca_file else ""
    ),
    "webhook": lambda name, spec, loaded: WebhookChannel(name, spec, refuse_private=_refuses(loaded)),
    "wecom": lambda name, spec, loaded: WecomChannel(name, spec, refuse_private=_refuses(loaded)),
    "dingtalk": lambda name, spec, loaded: DingtalkChannel(name, spec, refuse_private=_refuses(loaded)),
    "feishu": lambda name, spec, loaded: FeishuChannel(name, spec, refuse_private=_refuses(loaded)),
}


def _refuses(loaded: LoadedConfig) -> bool:
    return loaded.config.security.refuse_private_urls


def build_channels(loaded: LoadedConfig) -> dict[str, Channel]:
    return {name: REGISTRY[spec.type](name, spec, loaded) for name, spec in loaded.config.channels.items()}


FINGERPRINT_KEY = "security.fingerprint_key"


def fingerprints(loaded: LoadedConfig) -> dict[str, str]:
    """Each channel's settings digest, keyed (see config.channels.fingerprint). The key is the
    configured one, else the state folder's generated key (SQLite); on PostgreSQL without one
    the digests leave the secrets out (`safeduty check` warns)."""
    from scheduler import keys

    key: str = loaded.config.security.fingerprint_key
    if not key and keys.needs_setting(loaded, FINGERPRINT_KEY, key) is None:
        # SQLite: the generated key file. No warning: nothing is lost without a configured key
        # on one machine (a digest needs no sharing), and every command would print it.
        key = keys.secret(loaded, FINGERPRINT_KEY, key, warn=False)
    return {name: fingerprint(spec, key) for name, spec in loaded.config.channels.items()}
