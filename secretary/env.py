"""Reading settings from the environment, failing loudly and in one line.

A misconfigured deployment should say which variable is wrong before any
driver gets a chance to print a traceback about it. Every helper raises
``ConfigError`` (an ``ImproperlyConfigured``) whose message names the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_STRINGS = frozenset({"1", "true", "yes", "on", "y", "t"})
FALSE_STRINGS = frozenset({"0", "false", "no", "off", "n", "f", ""})

DATABASE_SCHEMES = frozenset({"postgres", "postgresql", "pgsql", "sqlite"})
REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


# Env's methods are named after the types they return, which shadows the
# builtins inside the class body; these aliases keep the annotations readable.
_Str = str
_Bool = bool
_Int = int
_Float = float
_List = list


class ConfigError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""


class Env:
    """Typed access to an environment mapping (``os.environ`` by default)."""

    def __init__(self, environ_map: Mapping[_Str, _Str] | None = None) -> None:
        self._env = os.environ if environ_map is None else environ_map

    def raw(self, name: _Str) -> _Str | None:
        value = self._env.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def str(self, name: _Str, default: _Str = "") -> _Str:
        value = self.raw(name)
        return default if value is None else value

    def required(self, name: _Str, why: _Str) -> _Str:
        value = self.raw(name)
        if value is None:
            raise ConfigError(f"{name} is required {why}")
        return value

    def bool(self, name: _Str, default: _Bool = False) -> _Bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in TRUE_STRINGS:
            return True
        if lowered in FALSE_STRINGS:
            return False
        raise ConfigError(f"{name} must be a boolean (true/false, 1/0, yes/no), got {value!r}")

    def int(self, name: _Str, default: _Int) -> _Int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {value!r}") from None

    def float(self, name: _Str, default: _Float) -> _Float:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {value!r}") from None

    def list(self, name: _Str, default: _List[_Str] | None = None) -> _List[_Str]:
        value = self.raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def duration(self, name: _Str, default: timedelta) -> timedelta:
        """A duration such as ``90s``, ``15m``, ``24h``, ``7d`` or plain seconds."""
        value = self.raw(name)
        if value is None:
            return default
        try:
            return parse_duration(value)
        except ValueError:
            raise ConfigError(
                f"{name} must be a duration like 90s, 15m, 24h or 7d, got {value!r}"
            ) from None

    def database(self, name: _Str, default: dict[_Str, Any]) -> dict[_Str, Any]:
        value = self.raw(name)
        if value is None:
            return default
        scheme = _checked_scheme(name, value, DATABASE_SCHEMES, "postgres://user@host:5432/db")
        parts = urlsplit(value)
        if scheme != "sqlite" and (not parts.hostname or not parts.path.strip("/")):
            raise ConfigError(
                f"{name} must name a host and a database, like postgres://user@host:5432/db"
            )
        _check_port(name, value)
        try:
            config: dict[_Str, Any] = environ.Env.db_url_config(value)
        except Exception as exc:  # django-environ raises a variety of types
            raise ConfigError(f"{name} is not a valid database URL: {exc}") from None
        return config

    def redis_url(self, name: _Str) -> _Str | None:
        value = self.raw(name)
        if value is None:
            return None
        scheme = _checked_scheme(name, value, REDIS_SCHEMES, "redis://host:6379/0")
        parts = urlsplit(value)
        if scheme != "unix" and not parts.hostname:
            raise ConfigError(f"{name} must name a host, like redis://host:6379/0")
        _check_port(name, value)
        db = parts.path.strip("/")
        if scheme != "unix" and db and not db.isdigit():
            raise ConfigError(f"{name} database must be a number, like redis://host:6379/0")
        return value

    def url(self, name: _Str) -> _Str | None:
        value = self.raw(name)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")
        return value.rstrip("/")


def parse_duration(value: str) -> timedelta:
    value = value.strip().lower()
    if value.isdigit():
        return timedelta(seconds=int(value))
    number, unit = value[:-1], value[-1:]
    if unit not in _DURATION_UNITS or not number.isdigit() or int(number) <= 0:
        raise ValueError(value)
    return timedelta(seconds=int(number) * _DURATION_UNITS[unit])


def _checked_scheme(name: str, value: str, allowed: frozenset[str], example: str) -> str:
    scheme = urlsplit(value).scheme.lower() if "://" in value else ""
    if scheme not in allowed:
        raise ConfigError(
            f"{name} must be a URL like {example} (schemes: {', '.join(sorted(allowed))})"
        )
    return scheme


def _check_port(name: str, value: str) -> None:
    try:
        urlsplit(value).port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ConfigError(f"{name} has an invalid port") from None
