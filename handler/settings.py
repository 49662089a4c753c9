"""Settings from the environment, read in one place and validated at start-up with messages naming the variable.
A CLI flag of the same meaning wins (the CLI passes overrides)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from handler.fetch import HttpsClient, UrlPolicy
from renderer import Limits, RenderOptions

N = TypeVar("N", int, float)
WHOLE, NUMBER = "a whole number", "a number"
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


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


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw not in _TRUE | _FALSE:
        raise SettingsError(f"{name} must be 1/true/yes/on or 0/false/no/off, not {raw!r}")
    return raw in _TRUE


def _maybe_flag(env: Mapping[str, str], name: str) -> bool | None:
    """A flag that may be left unset (None), so the caller picks the default."""
    return _flag(env, name) if env.get(name, "").strip() else None


def _keys(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in env.get(name, "").split(",") if k.strip())
    if any(len(k) < 16 for k in keys):
        raise SettingsError(f"{name}: every key must be at least 16 characters long")
    return keys


def _prefix(raw: str) -> str:
    prefix = raw.strip().lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    if not prefix or prefix.startswith("og/") or ".." in prefix:
        raise SettingsError("OGEDGE_PREFIX must be a folder such as 'img/', outside 'og/' (the CDN would loop)")
    return prefix


def _cdn_url(raw: str) -> str | None:
    url = raw.strip().rstrip("/")
    if url and not url.startswith(("https://", "http://")):
        raise SettingsError(f"OGEDGE_CDN_URL must start with https:// (or http:// locally), not {url!r}")
    return url or None


def _mode(raw: str) -> Literal["redirect", "inline"]:
    mode = raw.strip().lower() or "redirect"
    if mode == "redirect":
        return "redirect"
    if mode == "inline":
        return "inline"
    raise SettingsError(f"OGEDGE_RESPONSE_MODE must be 'redirect' or 'inline', not {raw!r}")


@dataclass(frozen=True)
class Settings:
    max_source_pixels: int = 40_000_000  # OGEDGE_MAX_SOURCE_PIXELS
    fetch_timeout_s: float = 10.0  # OGEDGE_FETCH_TIMEOUT_S: whole fetch, connect to last byte
    fetch_max_bytes: int = 20 * 1024 * 1024  # OGEDGE_FETCH_MAX_BYTES
    site: str | None = None  # OGEDGE_SITE: a path, or s3://bucket/key
    site_ttl_s: float = 5.0  # OGEDGE_SITE_TTL_S: how often the site file is checked for changes
    store_dir: Path = Path(".ogedge")  # OGEDGE_STORE_DIR: the filesystem store (when no bucket is set)
    bucket: str | None = None  # OGEDGE_BUCKET: the S3 store
    prefix: str = "img/"  # OGEDGE_PREFIX: where objects live, outside /og/
    cdn_url: str | None = None  # OGEDGE_CDN_URL: base URL redirects point at (default: this server)
    trust_forwarded_host: bool = False  # OGEDGE_TRUST_FORWARDED_HOST: this server's public host is X-Forwarded-Host
    signing_keys: tuple[str, ...] = ()  # OGEDGE_SIGNING_KEYS: first signs, all verify
    allow_unsigned: bool = False  # OGEDGE_ALLOW_UNSIGNED: development only
    response_mode: Literal["redirect", "inline"] = "redirect"  # OGEDGE_RESPONSE_MODE
    redirect_max_age: int = 300  # OGEDGE_REDIRECT_MAX_AGE: seconds a redirect (or inline answer) may be cached
    degraded_max_age: int = 60  # OGEDGE_DEGRADED_MAX_AGE: for answers given while the store or a font failed
    api_keys: tuple[str, ...] = ()  # OGEDGE_API_KEYS: bearer keys of the layer API (several, for rotation)
    api_no_auth: bool = False  # `serve --no-auth` only: the layer API without a key (never read from the env)
    max_body_bytes: int = 16 * 1024 * 1024  # OGEDGE_MAX_BODY_BYTES: largest layer API request body
    rate_per_minute: int = 120  # OGEDGE_RATE_LIMIT_PER_MINUTE: layer API requests per key (or client) and process
    rate_burst: int = 30  # OGEDGE_RATE_LIMIT_BURST: how many may come at once
    webhook_secret: str | None = None  # OGEDGE_WEBHOOK_SECRET: signs deliveries (default: the caller's API key)
    webhook_attempts: int = 5  # OGEDGE_WEBHOOK_ATTEMPTS: deliveries tried, with backoff 1, 2, 4, 8 s
    allow_private_network: bool = False  # OGEDGE_ALLOW_PRIVATE_NETWORK: tests only, never in production
    fetch_allow_hosts: tuple[str, ...] = ()  # OGEDGE_FETCH_ALLOW_HOSTS: only these sources (".example.com" = suffix)
    fetch_connect_timeout_s: float = 3.0  # OGEDGE_FETCH_CONNECT_TIMEOUT_S
    max_canvas_pixels: int = Limits.max_canvas_pixels  # OGEDGE_MAX_CANVAS_PIXELS (also any one layer's box)
    max_canvas_side: int = Limits.max_canvas_side  # OGEDGE_MAX_CANVAS_SIDE
    max_layers: int = Limits.max_layers  # OGEDGE_MAX_LAYERS
    max_text_length: int = Limits.max_text_length  # OGEDGE_MAX_TEXT_LENGTH: characters per text layer
    max_fonts: int = Limits.max_fonts  # OGEDGE_MAX_FONTS
    max_font_bytes: int = Limits.max_font_bytes  # OGEDGE_MAX_FONT_BYTES
    max_layout_depth: int = Limits.max_layout_depth  # OGEDGE_MAX_LAYOUT_DEPTH
    render_budget_s: float = 20.0  # OGEDGE_RENDER_BUDGET_S: below the Lambda timeout
    max_inline_bytes: int = 4_400_000  # OGEDGE_MAX_INLINE_BYTES: largest image answered in a response
    playground: bool | None = None  # OGEDGE_PLAYGROUND: /playground; unset = off on Lambda, on for `ogedge serve`

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> Settings:
        settings = cls(
            max_source_pixels=_positive(env, "OGEDGE_MAX_SOURCE_PIXELS", cls.max_source_pixels, int, WHOLE),
            fetch_timeout_s=_positive(env, "OGEDGE_FETCH_TIMEOUT_S", cls.fetch_timeout_s, float, NUMBER),
            fetch_max_bytes=_positive(env, "OGEDGE_FETCH_MAX_BYTES", cls.fetch_max_bytes, int, WHOLE),
            site=env.get("OGEDGE_SITE", "").strip() or None,
            site_ttl_s=_positive(env, "OGEDGE_SITE_TTL_S", cls.site_ttl_s, float, NUMBER),
            store_dir=Path(env.get("OGEDGE_STORE_DIR", "").strip() or cls.store_dir),
            bucket=env.get("OGEDGE_BUCKET", "").strip() or None,
            prefix=_prefix(env.get("OGEDGE_PREFIX", cls.prefix)),
            cdn_url=_cdn_url(env.get("OGEDGE_CDN_URL", "")),
            trust_forwarded_host=_flag(env, "OGEDGE_TRUST_FORWARDED_HOST"),
            signing_keys=_keys(env, "OGEDGE_SIGNING_KEYS"),
            allow_unsigned=_flag(env, "OGEDGE_ALLOW_UNSIGNED"),
            response_mode=_mode(env.get("OGEDGE_RESPONSE_MODE", "")),
            redirect_max_age=_positive(env, "OGEDGE_REDIRECT_MAX_AGE", cls.redirect_max_age, int, WHOLE),
            degraded_max_age=_positive(env, "OGEDGE_DEGRADED_MAX_AGE", cls.degraded_max_age, int, WHOLE),
            api_keys=_keys(env, "OGEDGE_API_KEYS"),
            max_body_bytes=_positive(env, "OGEDGE_MAX_BODY_BYTES", cls.max_body_bytes, int, WHOLE),
            rate_per_minute=_positive(env, "OGEDGE_RATE_LIMIT_PER_MINUTE", cls.rate_per_minute, int, WHOLE),
            rate_burst=_positive(env, "OGEDGE_RATE_LIMIT_BURST", cls.rate_burst, int, WHOLE),
            webhook_secret=env.get("OGEDGE_WEBHOOK_SECRET", "").strip() or None,
            webhook_attempts=_positive(env, "OGEDGE_WEBHOOK_ATTEMPTS", cls.webhook_attempts, int, WHOLE),
            allow_private_network=_flag(env, "OGEDGE_ALLOW_PRIVATE_NETWORK"),
            fetch_allow_hosts=tuple(
                h.strip().lower() for h in env.get("OGEDGE_FETCH_ALLOW_HOSTS", "").split(",") if h.strip()
            ),
            max_canvas_pixels=_positive(env, "OGEDGE_MAX_CANVAS_PIXELS", cls.max_canvas_pixels, int, WHOLE),
            max_canvas_side=_positive(env, "OGEDGE_MAX_CANVAS_SIDE", cls.max_canvas_side, int, WHOLE),
            max_layers=_positive(env, "OGEDGE_MAX_LAYERS", cls.max_layers, int, WHOLE),
            max_text_length=_positive(env, "OGEDGE_MAX_TEXT_LENGTH", cls.max_text_length, int, WHOLE),
            max_fonts=_positive(env, "OGEDGE_MAX_FONTS", cls.max_fonts, int, WHOLE),
            max_font_bytes=_positive(env, "OGEDGE_MAX_FONT_BYTES", cls.max_font_bytes, int, WHOLE),
            max_layout_depth=_positive(env, "OGEDGE_MAX_LAYOUT_DEPTH", cls.max_layout_depth, int, WHOLE),
            render_budget_s=_positive(env, "OGEDGE_RENDER_BUDGET_S", cls.render_budget_s, float, NUMBER),
            max_inline_bytes=_positive(env, "OGEDGE_MAX_INLINE_BYTES", cls.max_inline_bytes, int, WHOLE),
            playground=_maybe_flag(env, "OGEDGE_PLAYGROUND"),
            fetch_connect_timeout_s=_positive(
                env, "OGEDGE_FETCH_CONNECT_TIMEOUT_S", cls.fetch_connect_timeout_s, float, NUMBER
            ),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **given) if given else settings

    def render_options(self, clock: Callable[[], float] | None = time.monotonic) -> RenderOptions:
        limits = Limits(
            max_source_pixels=self.max_source_pixels,
            max_canvas_pixels=self.max_canvas_pixels,
            max_canvas_side=self.max_canvas_side,
            max_layers=self.max_layers,
            max_text_length=self.max_text_length,
            max_fonts=self.max_fonts,
            max_font_bytes=self.max_font_bytes,
            max_layout_depth=self.max_layout_depth,
        )
        return RenderOptions(limits, self.render_budget_s, clock)

    def url_policy(self) -> UrlPolicy:
        return UrlPolicy(allow_private=self.allow_private_network, allow_hosts=self.fetch_allow_hosts)

    def https_client(self) -> HttpsClient:
        """The one way out to the network, configured by these settings."""
        return HttpsClient(self.url_policy(), self.fetch_timeout_s, self.fetch_connect_timeout_s, self.fetch_max_bytes)
