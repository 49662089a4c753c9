"""``ogedge build``: every page rendered, incremental rebuilds, removed pages removed, the manifest, failures kept
apart; the CLI with a content folder; meta tags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from handler.build import MANIFEST, Page, build, read_manifest, site_pages
from handler.cli import main
from handler.settings import Settings
from handler.site import Site

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.json"


def example() -> Site:
    return Site.parse(EXAMPLE.read_bytes(), "site.json")


def test_a_first_build_renders_every_page_with_its_manifest(tmp_path: Path) -> None:
    report = build(example(), site_pages(example()), tmp_path, Settings(), workers=2)
    assert sorted(report.rendered) == ["connection-pooling", "why-postgres", "zero-downtime-migrations"]
    manifest = read_manifest(tmp_path)
    entry = manifest["why-postgres"]
    assert entry["file"] == "why-postgres.png"
    assert (entry["width"], entry["height"], entry["mime_type"]) == (1200, 630, "image/png")
    assert entry["alt"].startswith("Why We Moved to Postgres · Alice Chen")
    assert len(entry["key"]) == 64
    with Image.open(tmp_path / "why-postgres.png") as image:
        assert image.size == (1200, 630)


def test_a_rebuild_renders_only_what_changed_and_removes_what_is_gone(tmp_path: Path) -> None:
    site = example()
    build(site, site_pages(site), tmp_path, Settings())
    before = (tmp_path / "why-postgres.png").stat().st_mtime_ns
    pages = [p for p in site_pages(site) if p.slug != "zero-downtime-migrations"]
    pages = [
        Page(p.slug, p.template, {**p.vars, "title": "Changed"}) if p.slug == "connection-pooling" else p for p in pages
    ]
    report = build(site, pages, tmp_path, Settings())
    assert (report.rendered, report.unchanged, report.removed) == (
        ["connection-pooling"],
        ["why-postgres"],
        ["zero-downtime-migrations"],
    )
    assert (tmp_path / "why-postgres.png").stat().st_mtime_ns == before
    assert not (tmp_path / "zero-downtime-migrations.png").exists()
    assert set(read_manifest(tmp_path)) == {"why-postgres", "connection-pooling"}


def test_a_missing_file_is_rendered_again(tmp_path: Path) -> None:
    site = example()
    build(site, site_pages(site), tmp_path, Settings())
    (tmp_path / "why-postgres.png").unlink()
    assert build(site, site_pages(site), tmp_path, Settings()).rendered == ["why-postgres"]


def test_a_failing_page_is_reported_and_keeps_its_last_good_image(tmp_path: Path) -> None:
    site = example()
    build(site, site_pages(site), tmp_path, Settings())
    broken = [Page("why-postgres", "blog", {"title": "x" * 6000}), *site_pages(site)[1:]]
    report = build(site, broken, tmp_path, Settings())
    assert [slug for slug, _ in report.failed] == ["why-postgres"]
    assert "at most 5000 characters" in report.failed[0][1]
    assert (tmp_path / "why-postgres.png").exists()
    assert "why-postgres" in read_manifest(tmp_path)


def test_format_switch_replaces_the_files(tmp_path: Path) -> None:
    site = example()
    build(site, site_pages(site), tmp_path, Settings())
    build(site, site_pages(site), tmp_path, Settings(), fmt="webp")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "connection-pooling.webp",
        MANIFEST,
        "why-postgres.webp",
        "zero-downtime-migrations.webp",
    ]


def test_the_cli_builds_a_content_folder_and_reports_a_broken_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content" / "blog"
    content.mkdir(parents=True)
    (content / "hello-world.md").write_text("---\ntitle: Hello, World\nauthor: Eve\ndate: 2026-11-24\n---\nHi\n")
    (content / "broken.md").write_text("+++\ntitle = \n+++\n")
    site: dict[str, Any] = json.loads(EXAMPLE.read_text())
    site["content"] = {"template": "blog"}
    site_file = tmp_path / "site.json"
    site_file.write_text(json.dumps(site))
    out = tmp_path / "public" / "og"
    status = main(["build", str(site_file), "--out", str(out), "--content", str(content), "--workers", "1"])
    captured = capsys.readouterr()
    assert status == 1  # a skipped file is worth a non-zero exit, though every other page was built
    assert "broken.md: broken TOML" in captured.err
    assert "rendered 4" in captured.out
    assert read_manifest(out)["hello-world"]["alt"].startswith("Hello, World · Eve · 2026-11-24")


def test_meta_prints_the_tags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["meta", "why-postgres", "--site", str(EXAMPLE), "--base-url", "https://acme.dev"]) == 0
    out = capsys.readouterr().out
    assert '<meta property="og:image" content="https://acme.dev/og/why-postgres.png">' in out
    assert '<meta property="og:image:width" content="1200">' in out
    assert '<meta name="twitter:card" content="summary_large_image">' in out
    assert 'twitter:image:alt" content="Why We Moved to Postgres · Alice Chen · March 2026 · acme.dev"' in out


def test_meta_all_and_escaping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site: dict[str, Any] = json.loads(EXAMPLE.read_text())
    site["pages"]["quotes"] = {"template": "blog", "vars": {"title": 'Say "hi" & <wave>'}}
    path = tmp_path / "site.json"
    path.write_text(json.dumps(site))
    assert main(["meta", "--all", "--site", str(path), "--base-url", "https://acme.dev"]) == 0
    out = capsys.readouterr().out
    assert out.count("<!-- ") == 4
    assert "Say &quot;hi&quot; &amp; &lt;wave&gt;" in out


def test_meta_needs_an_https_base(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OGEDGE_CDN_URL", raising=False)
    assert main(["meta", "why-postgres", "--site", str(EXAMPLE)]) == 2
    assert "absolute https URL" in capsys.readouterr().err
