"""The Lambda package: everything the function needs, in one folder that `sam build` zips.

- the project's packages (``renderer``, ``handler``: code, bundled fonts, data files), copied from the checkout;
- the runtime dependencies of ``pyproject.toml`` as wheels for python3.12 on the target architecture and Amazon
  Linux 2023's glibc (2.34), at the exact versions of ``constraints.txt``, so the bytes rendered match the tests;
- ``lib/libfribidi.so.0``: Pillow's wheels carry raqm and HarfBuzz but load FriBiDi from the system, and the Lambda
  runtime has none. Lambda puts ``/var/task/lib`` on ``LD_LIBRARY_PATH``, so Pillow finds this copy;
- bytecode compiled by python3.12 with unchecked hashes: ``/var/task`` is read-only, so without it every cold start
  compiles every module it imports, and a zip round trip can change source timestamps.

Left out: the CLI's own dependencies (uvicorn, tqdm), console scripts, numpy's test suites, type stubs, C sources,
headers and static libraries, and botocore's models of the services the function never calls. Every shared object
is checked to be built for the target architecture, and the total against Lambda's limit.

    python3.12 infra/lambda/package.py --out DIR [--arch arm64|x86_64] [--wheels DIR] [--fribidi FILE]
    python3.12 infra/lambda/package.py download --dest DIR [--arch ...]   # the wheels, for building offline
    python3.12 infra/lambda/package.py requirements                     # what it installs
"""

from __future__ import annotations

import argparse
import compileall
import ctypes
import fnmatch
import hashlib
import io
import json
import os
import platform
import py_compile
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = "3.12"  # the template's Runtime
LIMIT_BYTES = 250 * 1024 * 1024  # Lambda: 250 MB unzipped, function and layers together
FRIBIDI = "libfribidi.so.0"  # the name Pillow's raqm opens
BOTOCORE_SERVICES = ("s3", "lambda", "ssm")  # S3 store and site file, async self-invocation, keys at cold start
NOT_ON_LAMBDA = ("uvicorn", "tqdm")  # `ogedge serve` and progress bars: the CLI's, never imported by the handler
NOT_LOADED = ("*.pyi", "*.pyx", "*.pxd", "*.c", "*.h", "*.a")  # type stubs, C sources and headers, static libraries


@dataclass(frozen=True)
class Arch:
    lambda_name: str  # as in the template: arm64, x86_64
    machine: str  # as in wheel tags and uname: aarch64, x86_64
    debian: str  # as in Debian package names: arm64, amd64
    elf_machine: int  # e_machine of its ELF files
    oldest_glibc: int  # manylinux_2_<n>: the oldest tag with wheels for it

    def platform_args(self) -> list[str]:
        """pip ``--platform`` values for every manylinux tag Amazon Linux 2023 (glibc 2.34) can run."""
        tags = [f"manylinux_2_{minor}_{self.machine}" for minor in range(self.oldest_glibc, 35)]
        tags.append(f"manylinux2014_{self.machine}")  # pip adds manylinux2010 and manylinux1 from it
        return [arg for tag in tags for arg in ("--platform", tag)]


ARCHES = {
    "arm64": Arch("arm64", "aarch64", "arm64", 0xB7, 17),
    "x86_64": Arch("x86_64", "x86_64", "amd64", 0x3E, 5),
}


@dataclass(frozen=True)
class Manifest:
    """What was built, written beside the code as ``ogedge-lambda.json``."""

    architecture: str
    python: str
    fribidi: str  # where lib/libfribidi.so.0 came from
    bytes: int  # unzipped size


class PackageError(Exception):
    """The package cannot be built as asked; the message says what to do."""


# --- what goes in ---------------------------------------------------------------------------------------------------


def project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def requirements() -> list[str]:
    """The runtime dependencies as pyproject.toml declares them (constraints.txt pins them), less the CLI's own."""
    deps = project()["project"]
    assert isinstance(deps, dict)
    return [str(dep) for dep in deps["dependencies"] if _name(str(dep)) not in NOT_ON_LAMBDA]


def _name(requirement: str) -> str:
    for i, char in enumerate(requirement):
        if not (char.isalnum() or char in "-_."):
            return requirement[:i].lower().replace("_", "-")
    return requirement.lower().replace("_", "-")


def packages() -> list[Path]:
    """The project's top-level packages: the folders matching pyproject's ``packages.find.include``."""
    tool = project()["tool"]
    assert isinstance(tool, dict)
    patterns = [p.split(".")[0] for p in tool["setuptools"]["packages"]["find"]["include"]]
    found = [d for d in sorted(ROOT.iterdir()) if (d / "__init__.py").is_file()]
    return [d for d in found if any(fnmatch.fnmatchcase(d.name, p) for p in patterns)]


def pip(command: str, arch: Arch, wheels: Path | None, *args: str) -> None:
    index = ["--no-index", "--find-links", str(wheels)] if wheels else []
    subprocess.run(
        [sys.executable, "-m", "pip", command, "--quiet", "--disable-pip-version-check", *index, "--only-binary=:all:",
         "--implementation", "cp", "--python-version", PYTHON, *arch.platform_args(),
         "-c", str(ROOT / "constraints.txt"), *args, *requirements()],
        check=True,
    )  # fmt: skip


# --- FriBiDi --------------------------------------------------------------------------------------------------------


def elf_machine_of(data: bytes) -> int | None:
    """The ``e_machine`` of an ELF file's first bytes; None when they are not an ELF header."""
    if len(data) < 20 or not data.startswith(b"\x7fELF"):
        return None
    return int.from_bytes(data[18:20], "little" if data[5] == 1 else "big")


def elf_machine(path: Path) -> int | None:
    with path.open("rb") as file:
        return elf_machine_of(file.read(20))


def deb_member(deb: Path, name_part: str) -> bytes:
    """One regular file of a Debian package (an ar archive holding data.tar.*) whose name contains ``name_part``."""
    data = deb.read_bytes()
    if not data.startswith(b"!<arch>\n"):
        raise PackageError(f"{deb} is not a Debian package")
    offset = 8
    while offset + 60 <= len(data):
        name, size = data[offset : offset + 16].decode().strip().rstrip("/"), int(data[offset + 48 : offset + 58])
        body = data[offset + 60 : offset + 60 + size]
        offset += 60 + size + (size % 2)
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(body)) as tar:
                for member in tar.getmembers():
                    if name_part in member.name.rsplit("/", 1)[-1] and member.isfile():
                        extracted = tar.extractfile(member)
                        assert extracted is not None
                        return extracted.read()
    raise PackageError(f"{deb} has no file named like {name_part}")


def host_fribidi() -> Path | None:
    """The system's FriBiDi as this process's loader finds it (the file mapped once it is loaded)."""
    try:
        ctypes.CDLL(FRIBIDI)
    except OSError:
        return None
    for line in Path("/proc/self/maps").read_text().splitlines():
        path = line.split(maxsplit=5)[-1]
        if "libfribidi" in path and path.startswith("/"):
            return Path(path)
    return None


def apt_download(arch: Arch, folder: Path) -> Path:
    """``libfribidi0`` for ``arch`` from the system's Debian sources, with a private package index (no root)."""
    state = folder / "apt"
    for sub in ("lists/partial", "cache/archives/partial"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    options = [
        f"-oDir::State::Lists={state / 'lists'}", f"-oDir::Cache={state / 'cache'}", "-oDir::State::status=/dev/null",
        f"-oAPT::Architecture={arch.debian}", f"-oAPT::Architectures::={arch.debian}", "-qq",
        *(["-oAPT::Sandbox::User=root"] if os.geteuid() == 0 else []),  # the private folders are root's
    ]  # fmt: skip
    try:
        subprocess.run(["apt-get", *options, "update"], check=True, capture_output=True)
        subprocess.run(["apt-get", *options, "download", f"libfribidi0:{arch.debian}"], check=True, cwd=folder)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise PackageError(
            f"cannot get FriBiDi for {arch.lambda_name} ({exc}). Build on a Debian or Ubuntu machine, build for this "
            f"machine's architecture (OGEDGE_LAMBDA_ARCH), or give a libfribidi0 .deb or .so with --fribidi"
        ) from None
    return next(folder.glob(f"libfribidi0_*_{arch.debian}.deb"))


def fribidi(arch: Arch, wheels: Path | None, given: Path | None, scratch: Path) -> tuple[bytes, str]:
    """The library's bytes and where they came from: --fribidi, a .deb among the wheels, the host, or apt."""
    if given is None and wheels is not None:
        given = next(iter(sorted(wheels.glob(f"libfribidi0_*_{arch.debian}.deb"))), None)
    if given is None and arch.machine == platform.machine():
        given = host_fribidi()
    if given is None:
        given = apt_download(arch, scratch)
    if given.suffix == ".deb":
        return deb_member(given, FRIBIDI), given.name
    return given.read_bytes(), str(given)


# --- the package ----------------------------------------------------------------------------------------------------


def check_fonts() -> None:
    """The bundled font set is installed at install time (tools/install_fonts.py); a package without it would
    render every card in the fallback font."""
    fonts = ROOT / "renderer" / "fonts"
    sources, stamp = fonts / "sources.json", fonts / "installed.json"
    if not sources.is_file():
        return
    installed = json.loads(stamp.read_text()) if stamp.is_file() else {}
    current = installed.get("sources") == hashlib.sha256(sources.read_bytes()).hexdigest()
    if not current or not all((fonts / name).is_file() for name in installed.get("files", [])):
        raise PackageError("the font set is not installed (or is out of date): run `make install` first")


# Families kept as TTF: Inter (the default, loaded most) and the large CJK and emoji faces, which FreeType would
# unpack again for every size it opens; the other families are packed as WOFF (zlib) to keep the package small.
KEEP_TTF = frozenset({"inter", "NotoSansJP", "NotoSansKR", "NotoSansSC", "NotoSansTC", "NotoColorEmoji"})


def _pad4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def woff(sfnt: bytes) -> bytes:
    """A TrueType/OpenType font as WOFF 1.0: the same tables, each zlib-compressed when that is smaller. FreeType
    reads it directly; the glyphs, and so the pixels, are the same."""
    flavor, count = struct.unpack(">IH", sfnt[:6])
    records = [struct.unpack(">4sIII", sfnt[12 + 16 * i : 28 + 16 * i]) for i in range(count)]
    directory, blobs = [], []
    offset = 44 + 20 * count
    for tag, checksum, start, length in sorted(records):
        table = sfnt[start : start + length]
        packed = zlib.compress(table, 9)
        stored = packed if len(packed) < length else table
        directory.append(struct.pack(">4sIIII", tag, offset, len(stored), length, checksum))
        blobs.append(_pad4(stored))
        offset += len(blobs[-1])
    total_sfnt = 12 + 16 * count + sum(len(_pad4(b"\0" * length)) for _, _, _, length in records)
    header = struct.pack(">4sIIHHIHHIIIII", b"wOFF", flavor, offset, count, 0, total_sfnt, 1, 0, 0, 0, 0, 0, 0)
    return header + b"".join(directory) + b"".join(blobs)


def pack_fonts(fonts: Path) -> None:
    """Every bundled TTF outside ``KEEP_TTF`` replaced by its WOFF (the ``.cmap`` beside it keeps its name)."""
    for path in sorted(fonts.glob("*/*.ttf")):
        if path.parent.name not in KEEP_TTF:
            path.with_suffix(".woff").write_bytes(woff(path.read_bytes()))
            path.unlink()


def copy_sources(out: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".mypy_cache")
    for package in packages():
        shutil.copytree(package, out / package.name, ignore=ignore, dirs_exist_ok=True)


def prune(out: Path) -> None:
    """What the function never loads: console scripts, numpy's tests, models of services it never calls, and the
    dependencies' type stubs, C sources, headers and static libraries."""
    shutil.rmtree(out / "bin", ignore_errors=True)
    for pattern in NOT_LOADED:
        for path in out.rglob(pattern):
            if path.is_file():
                path.unlink()
    for tests in sorted((out / "numpy").glob("**/tests"), reverse=True):
        shutil.rmtree(tests)
    models = out / "botocore" / "data"
    for service in models.iterdir() if models.is_dir() else ():
        if service.is_dir() and service.name not in BOTOCORE_SERVICES:
            shutil.rmtree(service)


def check_machines(out: Path, arch: Arch) -> None:
    wrong = [
        str(path.relative_to(out))
        for path in sorted(out.rglob("*.so*"))
        if path.is_file() and elf_machine(path) not in (None, arch.elf_machine)
    ]
    if wrong:
        raise PackageError(f"built for another architecture than {arch.lambda_name}: {', '.join(wrong[:5])}")


def compile_bytecode(out: Path) -> None:
    ok = compileall.compile_dir(
        out, quiet=2, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    if not ok:
        print("package: some files did not compile (they are never imported on 3.12)", file=sys.stderr)


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(out: Path, arch: Arch, wheels: Path | None, given_fribidi: Path | None) -> Manifest:
    if platform.python_version_tuple()[:2] != tuple(PYTHON.split(".")):
        raise PackageError(f"run this with python{PYTHON} (bytecode must match the runtime), not {sys.version}")
    check_fonts()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ogedge-lambda-") as scratch:
        staging = Path(scratch) / "package"
        pip("install", arch, wheels, "--no-compile", "--target", str(staging))
        prune(staging)
        copy_sources(staging)
        pack_fonts(staging / "renderer" / "fonts")
        data, origin = fribidi(arch, wheels, given_fribidi, Path(scratch))
        (staging / "lib").mkdir(exist_ok=True)
        (staging / "lib" / FRIBIDI).write_bytes(data)
        check_machines(staging, arch)
        compile_bytecode(staging)
        total = size_of(staging)
        if total > LIMIT_BYTES:
            raise PackageError(f"the package is {total / 1e6:.1f} MB unzipped, over Lambda's 250 MB limit")
        manifest = Manifest(arch.lambda_name, PYTHON, origin, total)
        (staging / "ogedge-lambda.json").write_text(json.dumps(asdict(manifest), indent=1) + "\n")
        shutil.copytree(staging, out, dirs_exist_ok=True, symlinks=True)
    return manifest


def main() -> None:
    default_arch = os.environ.get("OGEDGE_LAMBDA_ARCH", "arm64")
    wheels = os.environ.get("OGEDGE_LAMBDA_WHEELS")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=["build", "download", "requirements"], default="build")
    parser.add_argument("--out", type=Path, help="build: the folder to fill (SAM's ARTIFACTS_DIR)")
    parser.add_argument("--dest", type=Path, help="download: the folder for the wheels")
    parser.add_argument("--arch", choices=sorted(ARCHES), default=default_arch, help="default: OGEDGE_LAMBDA_ARCH")
    parser.add_argument("--wheels", type=Path, default=Path(wheels) if wheels else None, help="install offline")
    parser.add_argument("--fribidi", type=Path, help="a libfribidi.so.0 or libfribidi0 .deb for the architecture")
    args = parser.parse_args()
    arch = ARCHES[args.arch]
    try:
        if args.command == "requirements":
            print("\n".join(requirements()))
            return
        if args.command == "download":
            if args.dest is None:
                parser.error("download needs --dest")
            pip("download", arch, None, "--dest", str(args.dest))
            return
        if args.out is None:
            parser.error("build needs --out")
        manifest = build(args.out, arch, args.wheels, args.fribidi)
    except PackageError as exc:
        raise SystemExit(f"package: {exc}") from None
    print(f"package: {args.out} ({manifest.architecture}, {manifest.bytes / 1e6:.1f} MB unzipped)")


if __name__ == "__main__":
    main()
