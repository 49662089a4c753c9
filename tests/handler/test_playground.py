"""The playground's routes as the page (and any other client) uses them: the setting, the static files and their
same-origin references, drafts rendered without being stored, the fit report, the /og/ URL (accepted by /og/ with
the same key) and the meta tags of `ogedge meta`, every refusal naming its field, limits, who may use it, and never
a 500 on bad input."""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import re
import time
from dataclasses import replace
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from starlette.testclient import TestClient

from handler import cli
from handler.app import Deps, create_app
from handler.main import build_deps
from handler.playground import ASSETS, FONTS, PAGE, POLICY, _static
from handler.playground_draft import STARTER, template_variables
from handler.service import OgService
from handler.settings import Settings, SettingsError
from handler.site import Site, SiteSource, file_reader
from handler.store import MemoryStore
from renderer import RenderOptions, render

EXAMPLE_SITE = Path(__file__).resolve().parents[2] / "examples" / "site.json"
SIGNING_KEY = "signing-key-for-tests-0123456789"
API_KEY = "api-key-for-tests-0123456789"
RENDER = "/playground/render"
LOCAL = ("127.0.0.1", 50000)


def site() -> Site:
    return Site.parse(EXAMPLE_SITE.read_bytes(), str(EXAMPLE_SITE))


def blog() -> dict[str, Any]:
    return copy.deepcopy(site().templates["blog"])


def client(store: MemoryStore | None = None, peer: tuple[str, int] = LOCAL, **overrides: Any) -> TestClient:
    config = replace(Settings(site=str(EXAMPLE_SITE), signing_keys=(SIGNING_KEY,), playground=True), **overrides)
    source = SiteSource(file_reader(EXAMPLE_SITE), str(EXAMPLE_SITE), time.monotonic)
    store = store if store is not None else MemoryStore()
    deps = Deps(config, OgService(store, None, RenderOptions()), source, store)
    return TestClient(create_app(deps), base_url="http://testserver", follow_redirects=False, client=peer)


def draft(**variables: str) -> dict[str, Any]:
    return {"template": blog(), "name": "blog", "variables": variables, "slug": "hello"}


def problems(response: Any) -> dict[str, str]:
    body = response.json()
    assert body["success"] is False
    return {p["field"]: p["message"] for p in body.get("problems", [{"field": body.get("field"), "message": ""}])}


# ---- the setting ----


@pytest.mark.parametrize(("raw", "value"), [("", None), ("1", True), ("on", True), ("0", False), ("off", False)])
def test_the_setting_is_unset_on_or_off(raw: str, value: bool | None) -> None:
    assert Settings.from_env({"OGEDGE_PLAYGROUND": raw}).playground is value


def test_a_bad_setting_is_named() -> None:
    with pytest.raises(SettingsError, match="OGEDGE_PLAYGROUND"):
        Settings.from_env({"OGEDGE_PLAYGROUND": "sometimes"})


def test_off_unless_turned_on_as_on_lambda(tmp_path: Path) -> None:
    unset = build_deps(Settings.from_env({"OGEDGE_STORE_DIR": str(tmp_path)}))
    assert TestClient(create_app(unset)).get("/playground").status_code == 404
    on = build_deps(Settings.from_env({"OGEDGE_STORE_DIR": str(tmp_path), "OGEDGE_PLAYGROUND": "1"}))
    assert TestClient(create_app(on)).get("/playground").status_code == 200


def test_serve_turns_it_on_unless_told_not_to(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    served: list[bool] = []

    def run(app: Any, **kwargs: Any) -> None:  # uvicorn.run, without serving
        served.append("/playground" in {getattr(route, "path", "") for route in app.routes})

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.delenv("OGEDGE_PLAYGROUND", raising=False)
    serve = ["serve", "--site", str(EXAMPLE_SITE), "--store", str(tmp_path)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main([*serve, "--port", "8123"]) == 0
        assert cli.main([*serve, "--no-playground"]) == 0
        monkeypatch.setenv("OGEDGE_PLAYGROUND", "0")
        assert cli.main(serve) == 0
    assert served == [True, False, False]
    assert "playground: http://127.0.0.1:8123/playground" in out.getvalue()


# ---- the page and its files ----


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("src", "href", "action", "srcset")]


def test_the_page_and_its_files_reference_only_this_origin() -> None:
    page = client().get("/playground")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == POLICY
    parser = References()
    parser.feed(page.text)
    assert "playground/assets/playground.js" in parser.urls
    assert "playground/assets/playground.css" in parser.urls
    css = _static("playground.css").decode()
    js = _static("playground.js").decode()
    css_urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    js_urls = re.findall(r"fetch\(\s*\"([^\"]+)\"", js)
    assert sorted(css_urls) == ["inter-regular.ttf", "inter-semibold.ttf"]
    assert sorted(js_urls) == ["playground/render", "playground/site"]
    for url in [*parser.urls, *css_urls, *js_urls]:  # relative (so a stage prefix works), or data:
        assert not re.match(r"^([a-z][a-z0-9+.-]*:|//|/)", url, re.I) or url.startswith("data:"), url
    for text in (page.text, css, js):  # no absolute or scheme-relative URL anywhere, no imports or frames
        assert not re.search(r"https?:|[\"'(=]\s*//|@import|<iframe|<object|<embed", text, re.I)


def test_the_policy_allows_only_this_origin() -> None:
    directives = dict(part.strip().split(" ", 1) for part in POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "font-src", "connect-src"):
        assert directives[name] == "'self'"
    assert directives["img-src"] == "'self' data:"


def test_the_files_are_served_with_their_types() -> None:
    http = client()
    for name, media in ASSETS.items():
        response = http.get(f"/playground/assets/{name}")
        assert (response.status_code, response.headers["content-type"]) == (200, media)
        assert response.content == _static(name)
    for name in FONTS:
        font = http.get(f"/playground/assets/{name}")
        assert (font.status_code, font.headers["content-type"], font.content[:4]) == (200, "font/ttf", b"\0\1\0\0")
    missing = http.get("/playground/assets/..%2Fsettings.py")
    assert missing.status_code == 404
    assert http.get("/playground/assets/nothing.js").json()["code"] == "not_found"
    assert PAGE == "index.html"


def test_the_site_lists_templates_with_starting_values() -> None:
    data = client().get("/playground/site").json()["data"]
    (blog_entry,) = data["templates"]
    assert blog_entry["name"] == "blog"
    assert blog_entry["template"] == blog()
    assert blog_entry["variables"] == {  # the first page's values over the site's defaults
        "title": "Why We Moved to Postgres",
        "site": "acme.dev",
        "author": "Alice Chen",
        "date": "March 2026",
    }
    assert blog_entry["defaults"] == {"site": "acme.dev", "author": "The Acme engineering team", "date": "2026"}
    assert data["starter"] == STARTER
    assert (data["signing"], data["base_url"]) == (True, "http://testserver")


def test_template_variables_are_found_as_the_site_fills_them() -> None:
    template = {"a": "{{ first }} and {{second}}", "b": ["{{first}}", {"c": "{{third.x}}"}], "d": "{not} {{}}"}
    assert template_variables(template) == ("first", "second", "third.x")


# ---- drafts ----


def test_a_template_draft_renders_without_being_stored() -> None:
    store = MemoryStore()
    response = client(store).post(RENDER, json=draft(title="Hello playground"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    data = response.json()["data"]
    expected = render(site().request_for("blog", {"title": "Hello playground"}))
    assert base64.b64decode(data["buffer"]) == expected.data  # the renderer's bytes, deterministic
    assert data["bytes"] == len(expected.data)
    with Image.open(BytesIO(expected.data)) as image:
        assert image.size == (data["width"], data["height"]) == (1200, 630)
    assert data["mime_type"] == "image/png"
    assert data["fit"] == [fit.to_json() for fit in expected.fits]
    assert data["warnings"] == []
    assert data["alt"] == "Hello playground · The Acme engineering team · 2026 · acme.dev"
    assert data["object_key"] == f"img/{data['key']}.png"
    assert data["request"] == {**site().request_for("blog", {"title": "Hello playground"}), "output_format": "png"}
    assert store.objects == {}  # a draft is never stored


def test_the_fit_report_names_each_text_layer() -> None:
    data = client().post(RENDER, json=draft(title="Hello playground " * 12)).json()["data"]
    layers = [fit["layer"] for fit in data["fit"]]
    assert layers == ["layers[2]", "layers[3]", "layers[4]"]
    title = data["fit"][0]
    assert title["font_size_in_px"] < 68  # auto-scaled to fit
    assert title["lines"] > 1
    assert set(title) == {"layer", "font_size_in_px", "lines", "truncated", "fonts"}


def test_the_url_is_accepted_by_og_and_stored_under_the_previewed_key() -> None:
    http = client()
    data = http.post(RENDER, json=draft(title="Hello & welcome", author="Alice Chen")).json()["data"]
    link = data["link"]
    assert link["signed"] is True
    assert link["url"].startswith("http://testserver/og/hello.png?template=blog&title=Hello%20%26%20welcome&")
    assert "site=" not in link["url"]  # equal to the site's default: left out
    og = http.get(link["url"])
    assert og.status_code == 302
    assert og.headers["x-ogedge-key"] == data["key"]
    assert og.headers["location"].endswith(data["object_key"])


def test_the_meta_tags_are_those_of_ogedge_meta(capsys: pytest.CaptureFixture[str]) -> None:
    page = site().pages["why-postgres"]
    http = client(cdn_url="https://cdn.example.com")
    data = http.post(RENDER, json=draft(**{k: str(v) for k, v in page.vars.items()})).json()["data"]
    base = ["meta", "why-postgres", "--site", str(EXAMPLE_SITE), "--base-url", "https://cdn.example.com"]
    assert cli.main(base) == 0
    printed = capsys.readouterr().out.splitlines()
    url = re.compile(r'content="https://cdn\.example\.com/og/[^"]*"')
    assert [url.sub("URL", tag) for tag in data["link"]["meta"]] == [url.sub("URL", tag) for tag in printed]
    assert (
        data["link"]["meta"][0] == f'<meta property="og:image" content="{data["link"]["url"].replace("&", "&amp;")}">'
    )
    assert data["notes"] == []  # https base, signed, the site's own template


def test_without_signing_keys_the_url_is_unsigned_and_says_so() -> None:
    http = client(signing_keys=())
    data = http.post(RENDER, json=draft(title="Hi")).json()["data"]
    assert data["link"]["signed"] is False
    assert "sig=" not in data["link"]["url"]
    assert any("OGEDGE_SIGNING_KEYS" in note for note in data["notes"])
    assert http.get(data["link"]["url"]).status_code == 403


def test_an_edited_template_says_the_url_renders_the_saved_one() -> None:
    edited = draft(title="Hi")
    edited["template"]["layers"][0]["hex_color"] = "#003366"
    data = client().post(RENDER, json=edited).json()["data"]
    assert data["link"] is not None
    assert any("edited" in note for note in data["notes"])
    edited["name"] = "fresh"
    data = client().post(RENDER, json=edited).json()["data"]
    assert data["link"] is None
    assert any("templates.fresh" in note for note in data["notes"])


@pytest.mark.parametrize(
    ("fmt", "ext", "noted"), [("jpeg", "jpg", False), ("webp", "webp", False), ("avif", "png", True)]
)
def test_the_format_follows_what_og_serves(fmt: str, ext: str, noted: bool) -> None:
    body = draft(title="Hi")
    body["template"]["output_format"] = fmt
    data = client().post(RENDER, json=body).json()["data"]
    assert data["link"]["url"].startswith(f"http://testserver/og/hello.{ext}?")
    assert data["object_key"].endswith(f".{ext}")
    assert any("png, jpg and webp" in note for note in data["notes"]) is noted


def test_a_raw_request_renders_without_a_link() -> None:
    response = client().post(RENDER, json={"request": STARTER})
    data = response.json()["data"]
    assert response.status_code == 200
    assert data["link"] is None
    assert data["bytes"] == len(render(STARTER).data)


# ---- refusals, each naming its field ----


def test_an_invalid_template_names_the_field_within_the_template() -> None:
    body = draft(title="Hi")
    body["template"]["layers"][2]["font_size_in_px"] = -5
    response = client().post(RENDER, json=body)
    assert response.status_code == 400
    assert response.headers["cache-control"] == "no-store"
    assert problems(response) == {"template.layers[2].font_size_in_px": "Input should be greater than 0"}


def test_a_variable_that_breaks_the_request_is_named_where_it_lands() -> None:
    body = draft(title="Hi", size="huge")
    body["template"]["layers"][2]["font_size_in_px"] = "{{size}}"
    assert "template.layers[2].font_size_in_px" in problems(client().post(RENDER, json=body))


def test_an_invalid_raw_request_names_the_field_within_the_request() -> None:
    request = copy.deepcopy(STARTER)
    request["layers"][1]["text_color"] = "not a colour"
    assert list(problems(client().post(RENDER, json={"request": request}))) == ["request.layers[1].text_color"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"template": {"text": "{{missing}}"}, "name": "blog"}, "variables.missing"),
        ({"template": {}, "request": {}}, "body"),
        ({"name": "blog"}, "body"),
        ({"template": {}, "slug": "../etc"}, "slug"),
        ({"template": {}, "slug": "a b"}, "slug"),
        ({"template": {}, "variables": {"title": ["a"]}}, "variables.title.str"),
        ({"template": [], "name": "blog"}, "template"),
        ({"request": {}, "extra": 1}, "extra"),
        ({"request": {}, "name": ""}, "name"),
        ({"template": {"output_format": []}, "name": "blog"}, "template.output_format"),
        ({"template": {"output_format": "bmp"}, "name": "blog"}, "template.output_format"),
    ],
)
def test_bad_drafts_name_the_field(body: dict[str, Any], field: str) -> None:
    response = client().post(RENDER, json=body)
    assert response.status_code == 400
    assert field in problems(response), response.json()


def test_an_image_that_cannot_be_loaded_is_a_422_naming_it() -> None:
    request = copy.deepcopy(STARTER)
    request["layers"].append({"type": "image", "file": {"type": "url", "url": "https://example.com/a.png"}})
    response = client().post(RENDER, json={"request": request})
    assert response.status_code == 422
    assert response.json()["field"].startswith("request.layers[2]")


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b"\xff\xfe", b"[" * 100_000, json.dumps({"request": {"a": {"b": 1}}}).encode()],
)
def test_bodies_that_are_not_a_draft_are_400(body: bytes) -> None:
    response = client().post(RENDER, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


def test_bodies_over_the_limit_are_413_declared_or_streamed() -> None:
    http = client(max_body_bytes=1000)
    big = json.dumps({"request": {"pad": "x" * 2000}}).encode()
    assert http.post(RENDER, content=big).status_code == 413

    def chunks() -> Any:
        yield big[:600]
        yield big[600:]

    assert http.post(RENDER, content=chunks()).status_code == 413


def test_renders_are_rate_limited_per_caller() -> None:
    http = client(rate_per_minute=1, rate_burst=2)
    statuses = [http.post(RENDER, json={"request": STARTER}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = http.post(RENDER, json={"request": STARTER})
    assert int(limited.headers["retry-after"]) >= 1


# ---- who may use it ----


def test_without_keys_only_this_machine_may_render() -> None:
    remote = client(peer=("203.0.113.9", 4000))
    refused = remote.post(RENDER, json={"request": STARTER})
    assert refused.status_code == 401
    assert "OGEDGE_API_KEYS" in refused.json()["error"]
    assert remote.get("/playground/site").status_code == 401
    assert remote.get("/playground").status_code == 200  # the page itself is only files
    assert client(peer=("::1", 4000)).post(RENDER, json={"request": STARTER}).status_code == 200


def test_with_keys_a_key_is_needed_from_anywhere() -> None:
    http = client(api_keys=(API_KEY,))
    assert http.post(RENDER, json={"request": STARTER}).status_code == 401
    wrong = http.post(RENDER, json={"request": STARTER}, headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.headers["www-authenticate"]) == (401, 'Bearer realm="ogedge"')
    right = http.post(RENDER, json={"request": STARTER}, headers={"Authorization": f"Bearer {API_KEY}"})
    assert right.status_code == 200


def test_no_auth_opens_it_to_anyone() -> None:
    http = client(peer=("203.0.113.9", 4000), api_no_auth=True, api_keys=(API_KEY,))
    assert http.post(RENDER, json={"request": STARTER}).status_code == 200


# ---- never a 500 ----

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "template": st.dictionaries(st.sampled_from(["dimensions", "layers", "output_format", "x"]), values),
        "request": st.dictionaries(st.sampled_from(["dimensions", "layers", "fonts", "y"]), values),
        "name": values,
        "variables": values,
        "slug": values,
    },
)


@settings(max_examples=200, deadline=None)
@given(body=bodies)
def test_any_body_is_answered_without_a_500(fuzz_client: TestClient, body: dict[str, Any]) -> None:
    response = fuzz_client.post(RENDER, json=body)
    assert response.status_code in (200, 400, 422), response.text
    assert response.json()["success"] is (response.status_code == 200)


def leaf_paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(node, dict):
        return [p for key, item in node.items() for p in leaf_paths(item, (*path, key))]
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in leaf_paths(item, (*path, i))]
    return [path]


@settings(max_examples=100, deadline=None)
@given(change=st.tuples(st.sampled_from(leaf_paths(blog())), values), title=st.text(max_size=60))
def test_a_template_changed_anywhere_is_answered_without_a_500(
    fuzz_client: TestClient, change: tuple[tuple[str | int, ...], Any], title: str
) -> None:
    path, value = change
    body = draft(title=title)
    node = body["template"]
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    response = fuzz_client.post(RENDER, json=body)
    assert response.status_code in (200, 400, 422), response.text
    if response.status_code == 400:
        assert all(p["field"].startswith(("template", "variables")) for p in response.json().get("problems", []))


@pytest.fixture(scope="module")
def fuzz_client() -> TestClient:
    return client(rate_per_minute=100_000, rate_burst=100_000)
