"""One module per channel type; ``build_channels`` turns [channels.*] config into objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scheduler.channels.base import Channel
from scheduler.channels.console import ConsoleChannel
from scheduler.config import LoadedConfig

# type -> factory(name, channel config, loaded config)
REGISTRY: dict[str, Callable[[str, Any, LoadedConfig], Channel]] = {
    "console": lambda name, spec, loaded: ConsoleChannel(name, loaded.resolve(spec.path)),
}


def build_channels(loaded: LoadedConfig) -> dict[str, Channel]:
    return {
        name: REGISTRY[spec.type](name, spec, loaded)
        for name, spec in loaded.config.channels.items()
        if spec.type in REGISTRY
    }
