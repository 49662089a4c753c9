"""Keys from SSM Parameter Store, read once at cold start, so that no key is ever written in the template.

For each secret setting, ``<SETTING>_PARAMETER`` names an SSM parameter (a SecureString) holding the value the
setting itself would hold: ``OGEDGE_SIGNING_KEYS_PARAMETER=/ogedge/signing-keys`` fills ``OGEDGE_SIGNING_KEYS``.
All named parameters are read in one call, before the settings are parsed, so their values are validated exactly
like the variables (and a bad key fails the cold start with a message naming the setting, never the value).

A parameter that does not exist leaves its setting unset, which fails closed: no signing key refuses signed URLs,
no API key refuses the layer API. The function keeps serving the site's pages while the keys are being created; a
warning names the parameter. Any other failure (no permission, throttling, no network) fails the cold start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from handler.settings import SettingsError

log = logging.getLogger("ogedge")

SECRET_SETTINGS = ("OGEDGE_SIGNING_KEYS", "OGEDGE_API_KEYS", "OGEDGE_WEBHOOK_SECRET")
SUFFIX = "_PARAMETER"
SSM_BATCH = 10  # GetParameters takes at most ten names


def make_ssm_client(connect_timeout_s: float = 2.0, read_timeout_s: float = 5.0, max_attempts: int = 3) -> Any:
    """An SSM client with short timeouts and bounded retries; built once, at cold start, only when a parameter is
    named. ``AWS_ENDPOINT_URL_SSM`` points it at a local server in the tests."""
    import boto3  # noqa: PLC0415 - cold start: only when parameters are named
    from botocore.config import Config  # noqa: PLC0415

    config = Config(
        connect_timeout=connect_timeout_s,
        read_timeout=read_timeout_s,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
    )
    return boto3.session.Session().client("ssm", config=config)


def parameter_names(env: Mapping[str, str]) -> dict[str, str]:
    """Setting -> the parameter that holds it, for the settings whose ``_PARAMETER`` variable is set."""
    names: dict[str, str] = {}
    for setting in SECRET_SETTINGS:
        name = env.get(setting + SUFFIX, "").strip()
        if not name:
            continue
        if env.get(setting, "").strip():
            raise SettingsError(f"{setting} and {setting}{SUFFIX} are both set: set one of them")
        if not name.startswith("/") or any(c.isspace() for c in name):
            raise SettingsError(f"{setting}{SUFFIX} must be a parameter name such as /ogedge/keys, not {name!r}")
        names[setting] = name
    return names


def resolve(env: Mapping[str, str], make_client: Callable[[], Any] = make_ssm_client) -> dict[str, str]:
    """``env`` with each secret setting filled from its parameter. No client is built when none is named."""
    names = parameter_names(env)
    resolved = dict(env)
    if not names:
        return resolved
    values = _read(make_client(), sorted(set(names.values())))
    for setting, name in names.items():
        if name in values:
            resolved[setting] = values[name]
        else:
            log.warning("SSM parameter %s (%s%s) does not exist: %s stays unset", name, setting, SUFFIX, setting)
    return resolved


def _read(client: Any, names: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for start in range(0, len(names), SSM_BATCH):
        batch = names[start : start + SSM_BATCH]
        try:
            response = client.get_parameters(Names=batch, WithDecryption=True)
        except Exception as exc:  # botocore's ClientError and BotoCoreError alike; the message has no value in it
            raise SettingsError(f"cannot read the SSM parameters {', '.join(batch)}: {exc}") from None
        values.update({str(p["Name"]): str(p["Value"]) for p in response.get("Parameters", [])})
    return values
