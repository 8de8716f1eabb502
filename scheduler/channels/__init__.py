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

# type -> factory(name, channel config, loaded config)
REGISTRY: dict[str, Callable[[str, Any, LoadedConfig], Channel]] = {
    "console": lambda name, spec, loaded: ConsoleChannel(name, loaded.resolve(spec.path)),
    "email": lambda name, spec, loaded: EmailChannel(
        name, spec, str(loaded.resolve(spec.ca_file)) if spec.ca_file else ""
    ),
    "webhook": lambda name, spec, loaded: WebhookChannel(name, spec),
    "wecom": lambda name, spec, loaded: WecomChannel(name, spec),
    "dingtalk": lambda name, spec, loaded: DingtalkChannel(name, spec),
    "feishu": lambda name, spec, loaded: FeishuChannel(name, spec),
}


def build_channels(loaded: LoadedConfig) -> dict[str, Channel]:
    return {name: REGISTRY[spec.type](name, spec, loaded) for name, spec in loaded.config.channels.items()}
