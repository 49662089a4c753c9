# The two commands of the README: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: run test install install-dev native lint browser

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

run: install
	$(VENV)/bin/ogedge serve --site examples/site.json

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint browser
	$(PY) -m pytest
