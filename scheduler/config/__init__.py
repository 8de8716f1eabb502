"""Load config.toml into typed, frozen objects (see ``schema``), or fail naming every problem."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scheduler.config.schema import Config
from scheduler.config.typed import Converter, Problem, secrets_in
from scheduler.config.validate import cross_check

__all__ = ["Config", "ConfigError", "LoadedConfig", "load_config"]


class ConfigError(Exception):
    """Every problem found in a config file, each naming the file and the dotted key."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


@dataclass(frozen=True)
class LoadedConfig:
    """The typed config plus where it came from; relative paths in it are relative to ``root``."""

    config: Config
    path: Path
    # What logs, stored errors and CLI errors must never show: every ${NAME} value and Secret.
    secrets: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        return (self.root / relative).resolve() if relative else Path()

    @property
    def database_url(self) -> str:
        url = self.config.service.database
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(self.resolve(url[len(prefix):]))
        return url


def load_config(path: Path | str, environ: Mapping[str, str] | None = None) -> LoadedConfig:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(path, [Problem("", "file not found (pass --config PATH or set SAFEDUTY_CONFIG)")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [Problem("", f"not valid TOML: {exc}")]) from None
    converter = Converter(os.environ if environ is None else environ)
    config = converter.dataclass(Config, raw, "")
    problems = converter.problems or cross_check(config)
    if problems:
        raise ConfigError(path, problems)
    secrets = (*converter.environment_values, *secrets_in(config))
    return LoadedConfig(config, path.resolve(), tuple(dict.fromkeys(s for s in secrets if s)))
