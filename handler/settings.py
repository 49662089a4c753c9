"""Settings from the environment, read in one place and validated loudly. A CLI flag of the same meaning wins."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

N = TypeVar("N", int, float)
WHOLE, NUMBER = "a whole number", "a number"


class SettingsError(ValueError):
    """A setting is present but not usable; the message names the variable."""


def _positive(env: Mapping[str, str], name: str, default: N, parse: Callable[[str], N], kind: str) -> N:
    """``env[name]`` parsed as a number above 0 (``_`` allowed as a digit separator), or ``default`` when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw.replace("_", ""))
    except ValueError:
        raise SettingsError(f"{name} must be {kind}, not {raw!r}") from None
    if not value > 0:
        raise SettingsError(f"{name} must be above 0, not {raw}")
    return value


@dataclass(frozen=True)
class Settings:
    max_source_pixels: int = 40_000_000  # OGEDGE_MAX_SOURCE_PIXELS
    fetch_timeout_s: float = 10.0  # OGEDGE_FETCH_TIMEOUT_S: whole fetch, connect to last byte
    fetch_max_bytes: int = 20 * 1024 * 1024  # OGEDGE_FETCH_MAX_BYTES

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        return cls(
            max_source_pixels=_positive(env, "OGEDGE_MAX_SOURCE_PIXELS", cls.max_source_pixels, int, WHOLE),
            fetch_timeout_s=_positive(env, "OGEDGE_FETCH_TIMEOUT_S", cls.fetch_timeout_s, float, NUMBER),
            fetch_max_bytes=_positive(env, "OGEDGE_FETCH_MAX_BYTES", cls.fetch_max_bytes, int, WHOLE),
        )
