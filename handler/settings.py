"""Settings from the environment, read in one place and validated loudly. A CLI flag of the same meaning wins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class SettingsError(ValueError):
    """A setting is present but not usable; the message names the variable."""


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip().replace("_", "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SettingsError(f"{name} must be at least 1, not {value}")
    return value


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
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
            max_source_pixels=_positive_int(env, "OGEDGE_MAX_SOURCE_PIXELS", cls.max_source_pixels),
            fetch_timeout_s=_positive_float(env, "OGEDGE_FETCH_TIMEOUT_S", cls.fetch_timeout_s),
            fetch_max_bytes=_positive_int(env, "OGEDGE_FETCH_MAX_BYTES", cls.fetch_max_bytes),
        )
