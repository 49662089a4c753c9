from __future__ import annotations

import pytest

from handler.settings import Settings, SettingsError


def test_defaults() -> None:
    assert Settings.from_env({}) == Settings()
    assert Settings().max_source_pixels == 40_000_000


def test_values_are_read() -> None:
    settings = Settings.from_env({"OGEDGE_MAX_SOURCE_PIXELS": "1_000", "OGEDGE_FETCH_TIMEOUT_S": "2.5"})
    assert (settings.max_source_pixels, settings.fetch_timeout_s) == (1000, 2.5)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OGEDGE_MAX_SOURCE_PIXELS": "0"}, "OGEDGE_MAX_SOURCE_PIXELS must be above 0"),
        ({"OGEDGE_FETCH_MAX_BYTES": "1e6"}, "OGEDGE_FETCH_MAX_BYTES must be a whole number"),
        ({"OGEDGE_FETCH_TIMEOUT_S": "-1"}, "OGEDGE_FETCH_TIMEOUT_S must be above 0"),
        ({"OGEDGE_FETCH_TIMEOUT_S": "soon"}, "OGEDGE_FETCH_TIMEOUT_S must be a number"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
