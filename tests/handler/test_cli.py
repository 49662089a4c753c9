"""``ogedge render``: writes the image, exit 2 with field paths on a bad request, 1 on an asset failure."""

from __future__ import annotations

import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from PIL import Image

from handler.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "article.json"


def test_render_writes_the_example_card(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "card.png"
    assert main(["render", str(EXAMPLE), "-o", str(out)]) == 0
    with Image.open(out) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))
    assert f"wrote {out} (1200x630 image/png" in capsys.readouterr().out


def test_bad_request_exits_2_naming_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = tmp_path / "bad.json"
    request.write_text(
        json.dumps(
            {
                "dimensions": {"width": 10, "height": 10},
                "layers": [{"type": "text", "index": 0, "text": "x", "font_size_in_px": -1}],
            }
        )
    )
    assert main(["render", str(request), "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "invalid request: layers[0].font_size_in_px: Input should be greater than 0" in err
    assert "layers[0].text_color: Field required" in err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("content", ["{not json", ""])
def test_broken_json_exits_2(tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]) -> None:
    request = tmp_path / "broken.json"
    request.write_text(content)
    with pytest.raises(SystemExit) as caught:
        main(["render", str(request)])
    assert caught.value.code == 2
    assert "is not valid JSON" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["render", str(tmp_path / "nope.json")])
    assert caught.value.code == 2
    assert "cannot read" in capsys.readouterr().err


def test_an_http_image_url_is_refused_before_any_connection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = json.loads(EXAMPLE.read_text())
    request["layers"][4]["file"] = {"type": "url", "url": "http://127.0.0.1:9/photo.jpg"}
    path = tmp_path / "req.json"
    path.write_text(json.dumps(request))
    assert main(["render", str(path), "-o", str(tmp_path / "o.png")]) == 1
    assert "layers[4].file: cannot fetch 'http://127.0.0.1:9/photo.jpg': only https:// URLs" in capsys.readouterr().err


def test_a_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OGEDGE_MAX_SOURCE_PIXELS", "lots")
    assert main(["render", str(EXAMPLE)]) == 2
    assert "OGEDGE_MAX_SOURCE_PIXELS must be a whole number" in capsys.readouterr().err


def test_the_console_script_reads_standard_input(tmp_path: Path) -> None:
    request: dict[str, Any] = {
        "dimensions": {"width": 64, "height": 32},
        "output_format": "webp",
        "layers": [{"type": "solid-color", "hex_color": "#123456"}],
    }
    done = subprocess.run(
        [sys.executable, "-m", "handler.cli", "render", "-"],
        input=json.dumps(request),
        text=True,
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = (tmp_path / "ogedge.webp").read_bytes()
    with Image.open(BytesIO(data)) as image:
        assert (image.format, image.size) == ("WEBP", (64, 32))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_answers_og_urls_end_to_end(tmp_path: Path) -> None:
    """`ogedge serve` as the README runs it: a redirect, then the immutable object, from the filesystem store."""
    import http.client
    import time

    port = _free_port()
    site = EXAMPLE.parent / "site.json"
    server = subprocess.Popen(
        [sys.executable, "-m", "handler.cli", "serve", "--site", str(site), "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/og/why-postgres.png")
                first = conn.getresponse()
                first.read()
                break
            except ConnectionRefusedError:
                conn.close()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert first.status == 302
        location = first.getheader("location") or ""
        assert location.startswith(f"http://127.0.0.1:{port}/img/")
        conn.request("GET", location.removeprefix(f"http://127.0.0.1:{port}"))
        image = conn.getresponse()
        data = image.read()
        assert image.status == 200
        assert image.getheader("cache-control") == "public, max-age=31536000, immutable"
        with Image.open(BytesIO(data)) as decoded:
            assert decoded.size == (1200, 630)
        assert len(list((tmp_path / ".ogedge" / "img").iterdir())) == 1
        conn.close()
    finally:
        server.terminate()
        out, err = server.communicate(timeout=10)
    assert "ogedge serving" in out
    assert '"route":"og"' in err
    assert '"cache":"miss"' in err


def test_sign_prints_a_url_the_app_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    from handler.signing import verify

    key = "k" * 32
    assert main(["sign", "/og/hello.png?template=blog&title=Hello World", "--key", key]) == 0
    url = capsys.readouterr().out.strip()
    path, _, query = url.partition("?")
    params = parse_qsl(query)
    assert path == "/og/hello.png"
    assert verify([key], path, params, dict(params)["sig"])


def test_sign_without_a_key_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("OGEDGE_SIGNING_KEYS", raising=False)
    assert main(["sign", "/og/x.png?template=blog"]) == 2
    assert "no signing key" in capsys.readouterr().err
