"""The playground page in headless Chromium (Debian's, never a downloaded one), against the app served by uvicorn
on 127.0.0.1: the card follows the form, broken JSON and invalid fields are shown where they are, the copy
buttons copy the right text, the link preview frames crop as the platforms do, screenshots match their goldens,
and the page asks nothing of any other origin."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, sync_playwright

from handler.app import Deps, create_app
from handler.meta import meta_tags
from handler.service import OgService
from handler.settings import Settings
from handler.signing import signed_query
from handler.site import Site, SiteSource, file_reader
from handler.store import MemoryStore
from renderer import RenderOptions, render

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXAMPLE_SITE = Path(__file__).resolve().parents[2] / "examples" / "site.json"
SIGNING_KEY = "signing-key-for-tests-0123456789"
CDN = "https://cdn.example.com"  # where the page's URLs point: fixed, so screenshots do not show the random port
FIRST_PAGE = {"title": "Why We Moved to Postgres", "author": "Alice Chen", "date": "March 2026"}
Golden = Callable[[str, bytes], None]


@contextmanager
def serving(**settings: Any) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, served by uvicorn in a thread (the socket is bound before it starts)."""
    config = Settings(
        site=str(EXAMPLE_SITE),
        signing_keys=(SIGNING_KEY,),
        playground=True,
        cdn_url=CDN,
        rate_per_minute=10_000,
        rate_burst=10_000,
        **settings,
    )
    store = MemoryStore()
    source = SiteSource(file_reader(EXAMPLE_SITE), str(EXAMPLE_SITE), time.monotonic)
    app = create_app(Deps(config, OgService(store, None, RenderOptions()), source, store))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        yield launch(playwright)


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class Visit:
    """A page of the playground, with every request and console message it made."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        self.console: list[str] = []
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") and "status of 400" not in message.text:
            self.console.append(f"{message.type}: {message.text}")

    def open(self) -> Visit:
        self.page.goto(f"{self.base}/playground")
        self.settled()
        self.page.evaluate("() => document.fonts.ready.then(() => true)")
        return self

    def settled(self, not_key: str | None = None) -> None:
        """Wait until a render (with a key other than ``not_key``) is shown and nothing is on its way."""
        self.page.wait_for_function(
            "old => { const card = document.getElementById('card');"
            " return card.dataset.key && card.dataset.key !== old"
            " && document.getElementById('status').textContent === 'up to date'; }",
            arg=not_key or "",
        )

    def card(self) -> bytes:
        src = self.page.get_attribute("#card", "src") or ""
        prefix = "data:image/png;base64,"
        assert src.startswith(prefix)
        return base64.b64decode(src[len(prefix) :])

    def key(self) -> str:
        return self.page.get_attribute("#card", "data-key") or ""

    def editor_line(self, needle: str) -> int:
        text = self.page.input_value("#json")
        return text[: text.index(needle)].count("\n") + 1


@pytest.fixture
def visit(browser: Browser, server: str) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    visit = Visit(context.new_page(), server)
    yield visit
    context.close()
    assert all(url.startswith(f"{server}/") or url.startswith("data:") for url in visit.requests), visit.requests
    assert visit.console == []  # no script error, no Content-Security-Policy violation


def site() -> Site:
    return Site.parse(EXAMPLE_SITE.read_bytes(), str(EXAMPLE_SITE))


def expected_card(**variables: str) -> bytes:
    return render(site().request_for("blog", variables)).data


def test_the_page_shows_the_first_template_asking_only_this_origin(visit: Visit) -> None:
    visit.open()
    assert visit.card() == expected_card(**FIRST_PAGE)  # the first page's values, rendered by this server
    assert visit.page.input_value("#source") == "blog"
    fields = visit.page.eval_on_selector_all("#variable-fields input", "inputs => inputs.map(i => [i.name, i.value])")
    assert fields == [
        ["title", FIRST_PAGE["title"]],
        ["site", "acme.dev"],
        ["author", "Alice Chen"],
        ["date", "March 2026"],
    ]
    rows = visit.page.eval_on_selector_all("#fit tbody tr", "rows => rows.map(r => r.cells[0].textContent)")
    assert rows == ["layers[2]", "layers[3]", "layers[4]"]
    assert f"key {visit.key()}" in visit.page.inner_text("#summary")
    assert f"{len(visit.card()):,} bytes" in visit.page.inner_text("#summary")
    assert {url.split("?")[0].removeprefix(visit.base) for url in visit.requests} == {
        "/playground",
        "/playground/assets/playground.css",
        "/playground/assets/playground.js",
        "/playground/assets/inter-regular.ttf",
        "/playground/assets/inter-semibold.ttf",
        "/playground/site",
        "/playground/render",
    }


def test_changing_the_title_changes_the_card(visit: Visit) -> None:
    visit.open()
    before, key = visit.card(), visit.key()
    visit.page.fill("#var-title", "Postgres, one year on")
    visit.settled(not_key=key)
    after = visit.card()
    assert hashlib.sha256(after).digest() != hashlib.sha256(before).digest()
    assert after == expected_card(**{**FIRST_PAGE, "title": "Postgres, one year on"})
    assert "title=Postgres%2C%20one%20year%20on" in visit.page.input_value("#og-url")


def test_broken_json_is_shown_where_it_breaks(visit: Visit) -> None:
    visit.open()
    renders = sum(url.endswith("/playground/render") for url in visit.requests)
    text = visit.page.input_value("#json")
    broken = text.replace('"width_in_px": 1200,\n', '"width_in_px": 1200\n', 1)  # a comma gone from line 3
    assert broken != text
    visit.page.fill("#json", broken)
    visit.page.wait_for_selector("#json-errors li")
    message = visit.page.inner_text("#json-errors li")
    assert message.startswith("line 4, column 5")  # where "height_in_px" starts and a ',' or '}' was due
    assert "expected ',' or '}'" in message
    assert visit.page.inner_text("#gutter .bad") == "4"
    assert visit.page.inner_text("#backdrop mark") == '"'
    visit.page.wait_for_timeout(400)  # longer than the debounce: nothing is sent for JSON that does not parse
    assert sum(url.endswith("/playground/render") for url in visit.requests) == renders


def test_an_invalid_field_is_shown_at_its_line(visit: Visit, golden: Golden) -> None:
    visit.open()
    text = visit.page.input_value("#json")
    visit.page.fill("#json", text.replace('"font_size_in_px": 68', '"font_size_in_px": -68', 1))
    visit.page.wait_for_function("() => document.getElementById('json-errors').textContent.includes('layers[2]')")
    line = visit.editor_line('"font_size_in_px": -68')
    message = visit.page.inner_text("#json-errors li")
    assert message.startswith(f"line {line}, column 7")
    assert "template.layers[2].font_size_in_px" in message
    assert "greater than 0" in message
    assert visit.page.inner_text("#backdrop mark") == '"font_size_in_px": -68'
    assert visit.page.inner_text("#gutter .bad") == str(line)
    assert "stale" in (visit.page.get_attribute("#card", "class") or "")
    visit.page.locator("#json").evaluate("area => area.blur()")
    golden("playground-invalid", visit.page.locator(".edit").screenshot(animations="disabled", caret="hide"))


def test_a_problem_caused_by_a_variable_is_shown_at_the_variable(visit: Visit) -> None:
    visit.open()
    text = visit.page.input_value("#json")
    visit.page.fill("#json", text.replace('"font_size_in_px": 68', '"font_size_in_px": "{{size}}"', 1))
    visit.page.wait_for_selector("#var-size")  # the new placeholder became a field
    visit.page.wait_for_function(
        "() => document.querySelector('.problem[data-for=\"variables.size\"]').textContent !== ''"
    )
    assert visit.page.get_attribute("#var-size", "aria-invalid") == "true"
    key = visit.key()
    visit.page.fill("#var-size", "40")
    visit.settled(not_key=key)
    assert visit.page.get_attribute("#var-size", "aria-invalid") is None
    assert visit.page.inner_text("#json-errors") == ""


def test_the_copy_buttons_copy_the_signed_url_and_the_meta_tags(visit: Visit) -> None:
    visit.open()
    visit.page.click("#copy-url")
    copied_url = visit.page.evaluate("() => navigator.clipboard.readText()")
    path = "/og/preview.png"
    params = [("template", "blog"), *FIRST_PAGE.items()]  # the site's default (site=acme.dev) is left out
    assert copied_url == f"{CDN}{path}?{signed_query(SIGNING_KEY, path, params)}"
    assert visit.page.inner_text("#copy-status") == "copied"
    visit.page.click("#copy-meta")
    copied_meta = visit.page.evaluate("() => navigator.clipboard.readText()")
    alt = "Why We Moved to Postgres · Alice Chen · March 2026 · acme.dev"
    assert copied_meta == "\n".join(meta_tags(copied_url, "image/png", 1200, 630, alt))


def test_copying_falls_back_when_there_is_no_clipboard_api(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', { value: undefined })")
    visit = Visit(context.new_page(), server).open()
    visit.page.click("#copy-meta")
    selected = visit.page.locator("#meta-tags").evaluate("t => t.value.slice(t.selectionStart, t.selectionEnd)")
    assert selected == visit.page.input_value("#meta-tags")
    assert selected.startswith('<meta property="og:image" content="')
    assert visit.page.inner_text("#copy-status") == "copied"  # document.execCommand("copy") took the selection
    context.close()


def test_the_preview_frames_crop_as_the_platforms_do(visit: Visit, golden: Golden) -> None:
    visit.open()
    boxes: dict[str, Any] = {}
    for frame in ("x", "linkedin", "facebook", "slack", "discord"):
        box = visit.page.locator(f'[data-frame="{frame}"] .media').bounding_box()
        assert box is not None
        boxes[frame] = box
    ratio = {name: box["width"] / box["height"] for name, box in boxes.items()}
    assert ratio["x"] == pytest.approx(2.0, abs=0.02)
    assert ratio["linkedin"] == pytest.approx(1.91, abs=0.02)
    assert ratio["facebook"] == pytest.approx(1.91, abs=0.02)
    assert ratio["slack"] == pytest.approx(1200 / 630, abs=0.02)  # not cropped
    assert ratio["discord"] == pytest.approx(1200 / 630, abs=0.02)
    assert (round(boxes["slack"]["width"]), round(boxes["discord"]["width"])) == (360, 400)
    assert "hides 15 px top and bottom" in visit.page.inner_text('[data-frame="x"] figcaption')
    assert not visit.page.locator('[data-frame="x"] .safe').is_visible()
    visit.page.check("#safe-zone")
    for frame in boxes:
        media = visit.page.locator(f'[data-frame="{frame}"] .media')
        zone = media.locator(".safe").evaluate("zone => zone.getBoundingClientRect().toJSON()")
        box = media.evaluate("media => media.getBoundingClientRect().toJSON()")
        assert box["left"] < zone["left"], frame  # inside what the frame shows, on every side
        assert zone["right"] < box["right"], frame
        assert box["top"] < zone["top"], frame
        assert zone["bottom"] < box["bottom"], frame
    assert visit.page.inner_text('[data-frame="x"] .domain-pill') == "cdn.example.com"
    golden("playground-previews", visit.page.locator(".previews").screenshot(animations="disabled"))


def test_the_page_matches_its_golden(visit: Visit, golden: Golden) -> None:
    visit.open()
    summary = visit.page.locator("#summary")  # the render time changes from run to run
    shot = visit.page.locator(".work").screenshot(
        animations="disabled", caret="hide", mask=[summary], mask_color="#f6f7f9"
    )
    golden("playground-page", shot)


def test_a_raw_request_renders_without_a_link(visit: Visit) -> None:
    visit.open()
    key = visit.key()
    visit.page.select_option("#source", "raw")
    assert visit.page.is_hidden("#variables")
    raw = visit.page.input_value("#json")
    assert '"text": "Why We Moved to Postgres"' in raw  # the request last rendered, filled in
    recoloured = raw.replace('"#1a1a2e"', '"#004488"', 1)
    assert recoloured != raw
    visit.page.fill("#json", recoloured)
    visit.settled(not_key=key)
    assert visit.page.is_disabled("#copy-url")
    assert visit.page.input_value("#og-url") == ""
    assert "raw request has no /og/ URL" in visit.page.inner_text("#notes")


def test_a_server_with_api_keys_asks_for_one(browser: Browser) -> None:
    key = "api-key-for-tests-0123456789"
    with serving(api_keys=(key,)) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/playground")
        page.wait_for_selector("#key-field:not([hidden])")
        assert "Bearer" in page.inner_text("#status")  # the server's own words
        page.fill("#api-key", key)
        page.press("#api-key", "Enter")  # "change": the site is loaded again, with the key
        visit = Visit(page, base)
        visit.settled()
        assert visit.card() == expected_card(**FIRST_PAGE)
        context.close()
