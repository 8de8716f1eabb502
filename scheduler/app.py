"""Wire the real objects together in one place, from a loaded config."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from scheduler import keys, metrics, migrate
from scheduler.calendar import WorkCalendar
from scheduler.channels import build_channels, fingerprints
from scheduler.channels.base import Channel
from scheduler.clock import Clock, SystemClock
from scheduler.config import LoadedConfig
from scheduler.db import make_engine, make_sessions
from scheduler.dispatch import Dispatcher
from scheduler.planners import PLANNERS
from scheduler.receipts.links import prepare as prepare_links
from scheduler.rendering import Renderer
from scheduler.service import Service


@dataclass
class App:
    loaded: LoadedConfig
    clock: Clock = field(default_factory=SystemClock)
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    @property
    def config(self) -> Any:
        return self.loaded.config

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.loaded.database_url, application_name=f"safeduty {self.worker}")

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        migrate.upgrade(self.engine)
        return make_sessions(self.engine)

    @cached_property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar(self.config.calendar)

    @cached_property
    def renderer(self) -> Renderer:
        override = self.config.service.templates
        renderer = Renderer(self.config.service.zone, self.loaded.resolve(override) if override else None,
                            keys.compiled_templates(self.loaded))
        service = self.config.service  # every message's sign-off (templates/_signoff.j2)
        renderer.set_global("signature", self.config.messages.sign(service.bureau, service.office))
        return renderer

    @cached_property
    def channels(self) -> dict[str, Channel]:
        return metrics.timed_channels(build_channels(self.loaded))  # each send counted for /metrics

    @cached_property
    def dispatcher(self) -> Dispatcher:
        prepare_links(self.loaded)  # the receipt links' signing key (scheduler/receipts/links.py)
        return Dispatcher(self.sessions, self.channels, self.renderer, self.config, self.clock, self.worker,
                          fingerprints=fingerprints(self.loaded))

    @cached_property
    def service(self) -> Service:
        planners = metrics.timed_planners(PLANNERS, self.clock)  # each tick's duration, for /metrics
        return Service(self.loaded, self.sessions, self.dispatcher, self.calendar, planners, self.clock)

    def close(self) -> None:
        if "channels" in self.__dict__:
            for channel in self.channels.values():
                channel.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
