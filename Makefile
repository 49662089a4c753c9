# The two commands of the README: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: run test install install-dev native lint browser infra-tools

$(PY):
	$(PYTHON) -m venv $(VENV)

install: $(PY) native
	$(PIP) -e .
	$(PY) tools/install_fonts.py

install-dev: $(PY) native
	$(PIP) -e '.[dev]'
	$(PY) tools/install_fonts.py

# Pillow's wheels carry raqm and HarfBuzz but load FriBiDi from the system: text shaping needs it.
native: $(PY)
	@$(PIP) pillow
	@$(PY) -c "from PIL import features; raise SystemExit(not features.check('fribidi'))" 2>/dev/null || \
	  { echo "installing libfribidi0 for Pillow's text layout"; \
	    (apt-get update -qq && apt-get install -y -qq libfribidi0) >/dev/null; }

# The playground's browser tests drive Debian's Chromium (playwright never downloads a browser here).
browser:
	@test -x /usr/bin/chromium || \
	  { echo "installing chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

# The deployment checks' tools (tests/infra), each in a virtualenv of its own at pinned versions: the SAM CLI with
# cfn-lint (.venv-sam), python3.12 with awslambdaric (.venv-lambda), and the Lambda package's wheels for `sam build`
# offline. Needs a python3.12 (pyenv's is found); a second run with nothing changed takes a second.
infra-tools: native
	infra/tools.sh

run: install
	$(VENV)/bin/ogedge serve --site examples/site.json

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint browser infra-tools
	$(PY) -m pytest
