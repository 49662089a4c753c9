"""Install the bundled font set into ``renderer/fonts/`` from ``renderer/fonts/sources.json`` (run by ``make``).

Fonts come from package registries at install time, never at run time: Google Fonts families as npm packages
(fetched with ``npm pack``, checked against the pinned integrity) and Noto Color Emoji as a Debian package (fetched
with ``apt-get download``, checked against the pinned sha256; its CBDT bitmaps are what FreeType can draw in colour).
The files are written as ``renderer/fonts/<Family>/<Family>-<Style>.ttf`` with the licence beside them, then the
code points each file covers are written beside it (``<file>.cmap``) for the fallback chain. Downloads are
kept in a cache folder; a second run with an unchanged ``sources.json`` does nothing.

    python tools/install_fonts.py [--cache DIR] [--force]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from array import array
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "renderer" / "fonts"
SOURCES = FONTS / "sources.json"
STAMP = FONTS / "installed.json"
STYLE_WORDS = {
    100: "Thin",
    200: "ExtraLight",
    300: "Light",
    400: "Regular",
    500: "Medium",
    600: "SemiBold",
    700: "Bold",
    800: "ExtraBold",
    900: "Black",
}
_MEMBER = re.compile(r"package/(?P<weight>\d00)[A-Za-z]+(?P<italic>_Italic)?/[^/]+\.ttf")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file_name(family: str, weight: int, italic: bool) -> str:
    return f"{family}-{STYLE_WORDS[weight]}{'Italic' if italic else ''}.ttf"


def _npm_tarball(entry: dict[str, Any], cache: Path) -> Path:
    name = entry["package"].lstrip("@").replace("/", "-") + f"-{entry['version']}.tgz"
    tarball = cache / name
    if not tarball.exists():
        spec = f"{entry['package']}@{entry['version']}"
        subprocess.run(  # noqa: S603 - fixed arguments from the committed sources file
            ["npm", "pack", spec, "--silent", "--pack-destination", str(cache)],  # noqa: S607
            check=True,
            stdout=subprocess.DEVNULL,
        )
    algorithm, expected = entry["integrity"].split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        tarball.unlink()
        raise SystemExit(f"{tarball.name}: integrity mismatch (expected {expected}, got {actual})")
    return tarball


def _install_npm(entry: dict[str, Any], cache: Path) -> list[Path]:
    family = entry["family"]
    wanted = set(entry.get("weights", STYLE_WORDS))
    target = FONTS / family
    target.mkdir(exist_ok=True)
    written = []
    with tarfile.open(_npm_tarball(entry, cache)) as archive:
        for member in archive.getmembers():
            match = _MEMBER.fullmatch(member.name)
            source = archive.extractfile(member) if member.isfile() else None
            if source is None:
                continue
            if member.name == "package/LICENSE_FONT":
                (target / "LICENSE.txt").write_bytes(source.read())
            if match is None or int(match["weight"]) not in wanted:
                continue
            path = target / _file_name(family, int(match["weight"]), bool(match["italic"]))
            path.write_bytes(source.read())
            written.append(path)
    if not written:
        raise SystemExit(f"{entry['package']}: no font files found")
    return written


def _install_deb(entry: dict[str, Any], cache: Path) -> list[Path]:
    deb = cache / f"{entry['package']}_{entry['version'].replace(':', '%3a')}_all.deb"
    if not deb.exists():
        command = ["apt-get", "download", f"{entry['package']}={entry['version']}"]
        if subprocess.run(command, cwd=cache, check=False).returncode != 0:  # noqa: S603
            subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607 - an empty package list
            subprocess.run(command, cwd=cache, check=True)  # noqa: S603
    if _digest(deb) != entry["sha256"]:
        deb.unlink()
        raise SystemExit(f"{deb.name}: sha256 mismatch")
    target = FONTS / entry["family"]
    target.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)  # noqa: S603, S607
        path = target / _file_name(entry["family"], 400, False)
        shutil.copyfile(Path(tmp) / entry["file"], path)
        shutil.copyfile(Path(tmp) / entry["licence"], target / "LICENSE.txt")
    return [path]


def _ranges(codepoints: list[int]) -> list[int]:
    """Inclusive ranges as a flat list: start, end, start, end, ..."""
    out: list[int] = []
    for cp in sorted(codepoints):
        if out and cp == out[-1] + 1:
            out[-1] = cp
        else:
            out += [cp, cp]
    return out


def write_coverage() -> None:
    """Beside every bundled font, ``<file>.cmap``: the code points it maps, as little-endian uint32 pairs of
    inclusive ranges, read by ``renderer.fonts`` only when that face is considered for a character."""
    from fontTools.ttLib import TTFont  # noqa: PLC0415 - installed with the project

    for path in sorted(FONTS.glob("*/*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            cmap = font.getBestCmap() or {}
        ranges = array("I", _ranges(list(cmap)))
        if sys.byteorder != "little":
            ranges.byteswap()
        path.with_suffix(".cmap").write_bytes(ranges.tobytes())


def _up_to_date() -> bool:
    """Whether the files of the current ``sources.json`` are all in place."""
    if not STAMP.exists():
        return False
    stamp = json.loads(STAMP.read_text())
    names = stamp.get("files", [])
    wanted = [FONTS / name for name in names] + [path.with_suffix(".cmap") for path in FONTS.glob("*/*.[ot]tf")]
    return stamp.get("sources") == _digest(SOURCES) and bool(names) and all(path.is_file() for path in wanted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ogedge-fonts"
    parser.add_argument("--cache", type=Path, default=default_cache)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    sources = json.loads(SOURCES.read_text())
    if not args.force and _up_to_date():
        return 0
    args.cache.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for entry in sources["npm"]:
        files += _install_npm(entry, args.cache)
    for entry in sources["deb"]:
        files += _install_deb(entry, args.cache)
    write_coverage()
    names = sorted(path.relative_to(FONTS).as_posix() for path in files)
    STAMP.write_text(json.dumps({"sources": _digest(SOURCES), "files": names}))
    print(f"installed {len(files)} font files into {FONTS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
