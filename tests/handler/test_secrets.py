"""Keys from SSM Parameter Store at cold start: an in-process fake client here; the moto server in tests/infra."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from handler import secrets
from handler.settings import Settings, SettingsError

SIGNING = "signing-key-0123456789"
API = "api-key-0123456789abcdef"


class FakeSsm:
    """``get_parameters`` over a dict, recording each call; ``fail`` makes every call raise it."""

    def __init__(self, values: dict[str, str], fail: Exception | None = None) -> None:
        self.values = values
        self.fail = fail
        self.calls: list[dict[str, Any]] = []

    def get_parameters(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if self.fail is not None:
            raise self.fail
        names = kwargs["Names"]
        found = [{"Name": n, "Value": self.values[n], "Type": "SecureString"} for n in names if n in self.values]
        return {"Parameters": found, "InvalidParameters": [n for n in names if n not in self.values]}


def test_named_parameters_fill_their_settings_in_one_decrypting_call() -> None:
    ssm = FakeSsm({"/ogedge/signing-keys": SIGNING, "/ogedge/api-keys": f"{API},{API}-old"})
    env = {
        "OGEDGE_SIGNING_KEYS_PARAMETER": "/ogedge/signing-keys",
        "OGEDGE_API_KEYS_PARAMETER": "/ogedge/api-keys",
        "OGEDGE_BUCKET": "b",
    }
    resolved = secrets.resolve(env, lambda: ssm)
    assert resolved["OGEDGE_SIGNING_KEYS"] == SIGNING
    assert resolved["OGEDGE_BUCKET"] == "b"
    (call,) = ssm.calls
    assert call == {"Names": ["/ogedge/api-keys", "/ogedge/signing-keys"], "WithDecryption": True}
    settings = Settings.from_env(resolved)
    assert settings.signing_keys == (SIGNING,)
    assert settings.api_keys == (API, f"{API}-old")


def test_no_parameter_named_builds_no_client() -> None:
    def no_client() -> Any:
        raise AssertionError("a client was built")

    env = {"OGEDGE_SIGNING_KEYS": SIGNING}
    assert secrets.resolve(env, no_client) == env


def test_a_missing_parameter_leaves_the_setting_unset_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    ssm = FakeSsm({"/ogedge/signing-keys": SIGNING})
    env = {"OGEDGE_SIGNING_KEYS_PARAMETER": "/ogedge/signing-keys", "OGEDGE_API_KEYS_PARAMETER": "/ogedge/nope"}
    with caplog.at_level(logging.WARNING, logger="ogedge"):
        resolved = secrets.resolve(env, lambda: ssm)
    assert "OGEDGE_API_KEYS" not in resolved
    assert Settings.from_env(resolved).api_keys == ()  # the layer API refuses every call: it fails closed
    assert "/ogedge/nope" in caplog.text
    assert "OGEDGE_API_KEYS_PARAMETER" in caplog.text


def test_a_failing_read_fails_the_cold_start_naming_the_parameters_not_the_values() -> None:
    ssm = FakeSsm({"/ogedge/signing-keys": SIGNING}, fail=RuntimeError("AccessDeniedException: not allowed"))
    with pytest.raises(SettingsError, match=r"/ogedge/signing-keys.*AccessDenied") as caught:
        secrets.resolve({"OGEDGE_SIGNING_KEYS_PARAMETER": "/ogedge/signing-keys"}, lambda: ssm)
    assert SIGNING not in str(caught.value)


def test_a_value_is_validated_like_the_variable_and_never_shown() -> None:
    ssm = FakeSsm({"/ogedge/signing-keys": "short"})
    resolved = secrets.resolve({"OGEDGE_SIGNING_KEYS_PARAMETER": "/ogedge/signing-keys"}, lambda: ssm)
    with pytest.raises(SettingsError, match="OGEDGE_SIGNING_KEYS: every key must be at least 16") as caught:
        Settings.from_env(resolved)
    assert "short" not in str(caught.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"OGEDGE_API_KEYS": API, "OGEDGE_API_KEYS_PARAMETER": "/ogedge/api-keys"},
            "OGEDGE_API_KEYS and OGEDGE_API_KEYS_PARAMETER are both set",
        ),
        ({"OGEDGE_WEBHOOK_SECRET_PARAMETER": "ogedge/secret"}, "OGEDGE_WEBHOOK_SECRET_PARAMETER must be a parameter"),
        ({"OGEDGE_SIGNING_KEYS_PARAMETER": "/a b"}, "OGEDGE_SIGNING_KEYS_PARAMETER must be a parameter"),
    ],
)
def test_bad_parameter_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        secrets.resolve(env, lambda: FakeSsm({}))


def test_more_than_ten_names_are_read_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets, "SSM_BATCH", 2)
    ssm = FakeSsm({"/k/signing": SIGNING, "/k/api": API, "/k/webhook": "webhook-secret-0123456789"})
    env = {
        "OGEDGE_SIGNING_KEYS_PARAMETER": "/k/signing",
        "OGEDGE_API_KEYS_PARAMETER": "/k/api",
        "OGEDGE_WEBHOOK_SECRET_PARAMETER": "/k/webhook",
    }
    resolved = secrets.resolve(env, lambda: ssm)
    assert [len(call["Names"]) for call in ssm.calls] == [2, 1]
    assert resolved["OGEDGE_WEBHOOK_SECRET"] == "webhook-secret-0123456789"
