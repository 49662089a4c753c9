"""infra/lambda/package.py, piece by piece (the whole build runs in test_sam_build.py)."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest
from infra_tools import ROOT


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ogedge_lambda_package", ROOT / "infra" / "lambda" / "package.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


package = load()


def elf(machine: int) -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(11) + machine.to_bytes(2, "little") + bytes(40)


def ar_member(name: str, data: bytes) -> bytes:
    header = f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode()
    return header + data + (b"\n" if len(data) % 2 else b"")


def deb(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz") as tar:
        for name, link in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, link
            tar.addfile(info)
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return b"!<arch>\n" + ar_member("debian-binary", b"2.0\n") + ar_member("data.tar.xz", buffer.getvalue())


def test_the_library_comes_out_of_a_debian_package_past_its_symlink(tmp_path: Path) -> None:
    library = elf(0xB7)
    path = tmp_path / "libfribidi0_1.0.8-2.1_arm64.deb"
    lib = "./usr/lib/aarch64-linux-gnu/"
    path.write_bytes(deb({f"{lib}libfribidi.so.0.4.0": library}, {f"{lib}libfribidi.so.0": "libfribidi.so.0.4.0"}))
    assert package.deb_member(path, "libfribidi.so.0") == library
    data, origin = package.fribidi(package.ARCHES["arm64"], None, path, tmp_path)
    assert (data, origin) == (library, path.name)


def test_a_deb_among_the_wheels_is_used_for_its_architecture(tmp_path: Path) -> None:
    (tmp_path / "libfribidi0_1_amd64.deb").write_bytes(deb({"./usr/lib/libfribidi.so.0.4.0": elf(0x3E)}))
    (tmp_path / "libfribidi0_1_arm64.deb").write_bytes(deb({"./usr/lib/libfribidi.so.0.4.0": elf(0xB7)}))
    data, origin = package.fribidi(package.ARCHES["arm64"], tmp_path, None, tmp_path)
    assert (package.elf_machine_of(data), origin) == (0xB7, "libfribidi0_1_arm64.deb")


def test_not_a_debian_package(tmp_path: Path) -> None:
    path = tmp_path / "x.deb"
    path.write_bytes(b"PK\x03\x04 a zip")
    with pytest.raises(package.PackageError, match="not a Debian package"):
        package.deb_member(path, "libfribidi.so.0")


def test_shared_objects_for_another_architecture_fail_the_build(tmp_path: Path) -> None:
    (tmp_path / "ok.so").write_bytes(elf(0x3E))
    (tmp_path / "data.so.txt").write_bytes(b"not an ELF file")
    package.check_machines(tmp_path, package.ARCHES["x86_64"])
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "_native.cpython-312-aarch64-linux-gnu.so").write_bytes(elf(0xB7))
    with pytest.raises(package.PackageError, match=r"another architecture than x86_64: pkg/_native"):
        package.check_machines(tmp_path, package.ARCHES["x86_64"])


def test_wheels_for_every_glibc_up_to_amazon_linux_2023() -> None:
    args = package.ARCHES["arm64"].platform_args()
    tags = args[1::2]
    assert set(args[0::2]) == {"--platform"}
    assert "manylinux_2_34_aarch64" in tags
    assert "manylinux_2_17_aarch64" in tags
    assert "manylinux2014_aarch64" in tags
    assert not any(tag.endswith("x86_64") or "2_35" in tag for tag in tags)


def test_the_requirements_are_pyprojects_less_the_clis_own() -> None:
    requirements = package.requirements()
    names = {package._name(r) for r in requirements}
    assert {"pillow", "numpy", "pydantic", "starlette", "mangum", "boto3", "blake3"} <= names
    assert not names & {"uvicorn", "tqdm"}
    assert package._name("resvg_py~=0.5.0") == "resvg-py"


def test_prune_keeps_what_the_function_loads(tmp_path: Path) -> None:
    files = [
        "bin/uvicorn",
        "numpy/_core/tests/test_x.py",
        "numpy/_core/include/numpy/ndarrayobject.h",
        "numpy/_core/multiarray.py",
        "numpy/__init__.pyi",
        "botocore/data/s3/2006-03-01/service-2.json.gz",
        "botocore/data/ec2/2016-11-15/service-2.json.gz",
        "botocore/data/endpoints.json",
        "fontTools/cu2qu/cu2qu.c",
        "fontTools/cu2qu/cu2qu.py",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    package.prune(tmp_path)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == [
        "botocore/data/endpoints.json",
        "botocore/data/s3/2006-03-01/service-2.json.gz",
        "fontTools/cu2qu/cu2qu.py",
        "numpy/_core/multiarray.py",
    ]


def test_a_package_without_the_installed_font_set_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fonts = tmp_path / "renderer" / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "sources.json").write_text('{"npm": []}')
    monkeypatch.setattr(package, "ROOT", tmp_path)
    with pytest.raises(package.PackageError, match="make install"):
        package.check_fonts()
    digest = package.hashlib.sha256((fonts / "sources.json").read_bytes()).hexdigest()
    (fonts / "installed.json").write_text(json.dumps({"sources": digest, "files": ["A/A-Regular.ttf"]}))
    with pytest.raises(package.PackageError, match="make install"):
        package.check_fonts()  # a listed file is missing
    (fonts / "A").mkdir()
    (fonts / "A" / "A-Regular.ttf").write_bytes(b"font")
    package.check_fonts()


def test_the_project_packages_are_found_from_pyproject() -> None:
    assert [p.name for p in package.packages()] == ["handler", "renderer"]


def test_fonts_packed_as_woff_draw_the_same_glyphs(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont
    from PIL import Image, ImageDraw, ImageFont

    source = ROOT / "renderer" / "fonts" / "inter" / "Inter-Bold.ttf"
    packed = tmp_path / "Inter-Bold.woff"
    packed.write_bytes(package.woff(source.read_bytes()))
    assert packed.stat().st_size < source.stat().st_size * 0.7
    with TTFont(source) as original, TTFont(packed) as unpacked:
        assert unpacked.flavor == "woff"
        assert sorted(original.keys()) == sorted(unpacked.keys())
        for tag in ("glyf", "cmap", "GPOS", "hmtx"):
            assert original.reader[tag] == unpacked.reader[tag]
    text = "Packed fonts, same pixels: Ærøskøbing 0123"
    fonts = [ImageFont.truetype(str(path), 37, layout_engine=ImageFont.Layout.RAQM) for path in (source, packed)]
    assert fonts[0].getlength(text) == fonts[1].getlength(text)
    drawn = [Image.new("L", (900, 60)) for _ in fonts]
    for image, font in zip(drawn, fonts, strict=True):
        ImageDraw.Draw(image).text((5, 45), text, font=font, fill=255, anchor="ls")
    assert drawn[0].getbbox() is not None
    assert drawn[0].tobytes() == drawn[1].tobytes()


def test_only_the_small_families_are_packed(tmp_path: Path) -> None:
    fonts = ROOT / "renderer" / "fonts"
    for family in ("Lora", "NotoSansJP", "inter"):
        (tmp_path / family).mkdir()
        for path in sorted((fonts / family).glob("*-Regular.ttf")):
            (tmp_path / family / path.name).write_bytes(path.read_bytes())
    package.pack_fonts(tmp_path)
    assert [p.name for p in (tmp_path / "Lora").iterdir()] == ["Lora-Regular.woff"]
    assert [p.name for p in (tmp_path / "NotoSansJP").iterdir()] == ["NotoSansJP-Regular.ttf"]
    assert [p.name for p in (tmp_path / "inter").iterdir()] == ["Inter-Regular.ttf"]
