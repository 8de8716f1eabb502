"""Turn parsed TOML into frozen, typed dataclasses, collecting every problem with its dotted key.

Supported field types: str, int, float, bool, Enum, Literal, date, time, timedelta (written
"90s", "10m", "2h", "3d"), ZoneInfo, Secret, tuple[X, ...], dict[str, X], X | None, nested
dataclasses, and unions of dataclasses told apart by their ``type: Literal[...]`` field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import os
import re
import types
import typing
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclasses.dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


@dataclasses.dataclass(frozen=True)
class Ref:
    """A name that a config key uses and that must be defined elsewhere (a section's
    ``references()`` yields these; ``validate.cross_check`` resolves them). It lives here, in the
    leaf module, so the section modules need not import validate, which imports the schema,
    which imports them."""

    key: str
    kind: typing.Literal["group", "channel"]
    name: str


class Secret(str):
    """A string that never shows itself in repr() or logs."""

    def __repr__(self) -> str:
        return "Secret('***')"


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> dt.timedelta:
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f'expected a duration such as "90s", "10m", "2h" or "3d", got {text!r}')
    return dt.timedelta(seconds=float(match[1]) * _DURATION_UNITS[match[2]])


def interpolate(text: str, key: str, environ: Mapping[str, str], problems: list[Problem],
                found: list[str] | None = None) -> str:
    """Replace ${NAME} with the environment variable NAME; an unset NAME is a problem.
    Each value put in is appended to ``found`` (logs mask every one of them)."""

    def repl(match: re.Match[str]) -> str:
        name = match[1]
        if name not in environ:
            problems.append(
                Problem(key, f"environment variable {name} is not set (export it, or remove the key)")
            )
            return ""
        if found is not None:
            found.append(environ[name])
        return environ[name]

    return _ENV.sub(repl, text)


class Converter:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ
        self.problems: list[Problem] = []
        self.environment_values: list[str] = []  # every ${NAME} value read: secrets to mask
        self._hints: dict[type, dict[str, Any]] = {}

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(key, message))

    def convert(self, tp: Any, value: Any, key: str) -> Any:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if isinstance(value, str) and "${" in value:
            value = interpolate(value, key, self.environ, self.problems, self.environment_values)
        if origin in (typing.Union, types.UnionType):
            return self._union(args, value, key)
        if origin is typing.Literal:
            if value not in args:
                allowed = ", ".join(repr(a) for a in args)
                self.fail(key, f"must be one of {allowed}, got {value!r}")
            return value
        if origin is tuple:
            if not isinstance(value, list):
                self.fail(key, f"expected a list, got {_kind(value)}")
                return ()
            item = args[0]
            return tuple(self.convert(item, v, f"{key}[{i}]") for i, v in enumerate(value))
        if origin is dict:
            if not isinstance(value, dict):
                self.fail(key, f"expected a table, got {_kind(value)}")
                return {}
            return {k: self.convert(args[1], v, _join(key, k)) for k, v in value.items()}
        if dataclasses.is_dataclass(tp):
            return self.dataclass(tp, value, key)
        return self._scalar(tp, value, key)

    def dataclass(self, cls: Any, value: Any, key: str) -> Any:
        if not isinstance(value, dict):
            self.fail(key, f"expected a table, got {_kind(value)}")
            value = {}
        hints = self._hints.get(cls)
        if hints is None:
            hints = self._hints[cls] = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
        for unknown in sorted(set(value) - set(fields)):
            close = _closest(unknown, fields)
            hint = f' (did you mean "{close}"?)' if close else ""
            self.fail(_join(key, unknown), f"unknown key{hint}")
        kwargs: dict[str, Any] = {}
        before = len(self.problems)
        for name, field in fields.items():
            if name in value:
                kwargs[name] = self.convert(hints[name], value[name], _join(key, name))
            elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                self.fail(_join(key, name), "is required")
                return None
        if len(self.problems) > before:
            return None  # a value that did not convert would only make __post_init__ fail obscurely
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            self.fail(key, str(exc))
            return None

    def _union(self, args: tuple[Any, ...], value: Any, key: str) -> Any:
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return self.convert(options[0], value, key)
        tagged = {_tag(a): a for a in options if dataclasses.is_dataclass(a)}
        if tagged and isinstance(value, dict):
            tag = value.get("type")
            if tag not in tagged:
                allowed = ", ".join(f'"{t}"' for t in tagged)
                self.fail(_join(key, "type"), f"must be one of {allowed}, got {tag!r}")
                return None
            return self.dataclass(tagged[tag], value, key)
        for option in options:  # first type that converts cleanly wins
            trial = Converter(self.environ)
            result = trial.convert(option, value, key)
            if not trial.problems:
                return result
        self.fail(key, f"unexpected value {value!r}")
        return None

    def _scalar(self, tp: Any, value: Any, key: str) -> Any:
        try:
            return _SCALARS.get(tp, _other)(tp, value)
        except (TypeError, ValueError) as exc:
            self.fail(key, str(exc))
            return None


def _tag(cls: Any) -> str:
    hint = typing.get_type_hints(cls)["type"]
    return typing.get_args(hint)[0]


def _str(tp: Any, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_kind(value)}")
    return tp(value)


def _int(_: Any, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {_kind(value)}")
    return value


def _float(_: Any, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {_kind(value)}")
    return float(value)


def _bool(_: Any, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {_kind(value)}")
    return value


def _date(_: Any, value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date such as 2026-06-01, got {value!r}")


def _time(_: Any, value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", value):
        try:
            return dt.time.fromisoformat(value.zfill(5) if len(value) == 4 else value)
        except ValueError:
            pass
    raise ValueError(f'expected a time of day such as "16:00", got {value!r}')


def _timedelta(_: Any, value: Any) -> dt.timedelta:
    if not isinstance(value, str):
        raise TypeError(f'expected a duration such as "10m", got {_kind(value)}')
    return parse_duration(value)


def _zone(_: Any, value: Any) -> ZoneInfo:
    if not isinstance(value, str):
        raise TypeError(f"expected a time zone name, got {_kind(value)}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'unknown time zone {value!r} (use an IANA name such as "Asia/Shanghai")') from None


def _other(tp: Any, value: Any) -> Any:
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            allowed = ", ".join(f'"{m.value}"' for m in tp)
            raise ValueError(f"must be one of {allowed}, got {value!r}") from None
    parse = getattr(tp, "parse", None)
    if parse is not None:
        return parse(value)
    raise TypeError(f"unsupported config type {tp!r}")


_SCALARS = {
    str: _str,
    Secret: _str,
    int: _int,
    float: _float,
    bool: _bool,
    dt.date: _date,
    dt.time: _time,
    dt.timedelta: _timedelta,
    ZoneInfo: _zone,
}


def _kind(value: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
             list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _closest(word: str, options: Mapping[str, Any]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.75)
    return found[0] if found else None


def secrets_in(value: Any) -> list[str]:
    """Every Secret inside a config object, so logs can mask them."""
    if isinstance(value, Secret):
        return [str(value)] if value else []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in secrets_in(getattr(value, f.name))]
    if isinstance(value, dict):
        return [s for v in value.values() for s in secrets_in(v)]
    if isinstance(value, tuple | list):
        return [s for v in value for s in secrets_in(v)]
    return []
