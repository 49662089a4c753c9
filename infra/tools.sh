#!/usr/bin/env bash
# The tools of the deployment checks (tests/infra), each in a virtualenv of its own, at pinned versions:
#   .venv-sam/          the SAM CLI with cfn-lint and the SAM translator (infra/requirements-sam.txt); apart from
#                       .venv because it pins older boto3 and click
#   .venv-lambda/       python3.12, the function's runtime, with awslambdaric (infra/requirements-lambda.txt)
#   .venv-lambda/wheels the Lambda package's wheels for this machine, so that `sam build` runs offline in the tests
# Run by `make test`. Cheap when nothing changed: a virtualenv (or the wheels) whose inputs hash the same is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "infra/tools.sh: $*" >&2; }

# A python3.12 that really runs (a pyenv shim on PATH may not), as an absolute path.
find_python312() {
    local candidate
    local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
    for candidate in "${PYTHON312:-}" python3.12 "$pyenv_root"/versions/3.12*/bin/python3.12 \
        /usr/local/bin/python3.12 /usr/bin/python3.12; do
        [ -n "$candidate" ] || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then
            "$candidate" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    return 1
}

fingerprint() { cat "$@" | sha256sum | cut -d' ' -f1; }

# ensure_venv DIR PINS: DIR made with python3.12 and PINS installed, unless already so.
ensure_venv() {
    local dir=$1 pins=$2 want
    want=$(fingerprint "$pins" <(echo "$PY312"))
    if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.ogedge-pins" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    say "installing $dir from $pins"
    rm -rf "$dir"
    "$PY312" -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: -r "$pins"
    echo "$want" >"$dir/.ogedge-pins"
}

# The package's wheels for this machine's architecture (what `sam build` installs in the tests).
ensure_wheels() {
    local arch dest want
    case "$(uname -m)" in
        x86_64) arch=x86_64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *) say "no Lambda architecture for $(uname -m)"; exit 1 ;;
    esac
    dest=.venv-lambda/wheels/$arch
    want=$(fingerprint constraints.txt <("$PY312" infra/lambda/package.py requirements))
    if [ -d "$dest" ] && [ "$(cat "$dest/.ogedge-pins" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    say "downloading the Lambda package's wheels for $arch into $dest"
    rm -rf "$dest"
    "$PY312" infra/lambda/package.py download --arch "$arch" --dest "$dest"
    echo "$want" >"$dest/.ogedge-pins"
}

PY312=$(find_python312) || {
    say "no python3.12 found (tried \$PYTHON312, python3.12 on PATH, pyenv's versions/3.12*, /usr/local/bin, /usr/bin)."
    say "The Lambda runtime is python3.12: install one (e.g. 'pyenv install 3.12') or set PYTHON312=/path/to/python3.12."
    exit 1
}
ensure_venv .venv-sam infra/requirements-sam.txt
ensure_venv .venv-lambda infra/requirements-lambda.txt
ensure_wheels
