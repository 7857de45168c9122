# Every target creates .venv on first use, so a fresh clone needs nothing else.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint bench demo screenshots icons dist clean report-preview

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check triage tests packaging resources

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks

# Render a sample report in headless Chromium (apt-get install -y chromium poppler-utils) to
# build/report-preview/: report.png (and pieces), report.pdf (print layout) and its pages.
report-preview: $(STAMP)
	$(BIN)/python -m tests.render_report build/report-preview

demo: $(STAMP)
	$(BIN)/triage demo

# The window and its dialogs rendered offscreen to PNG, light and dark (README shows them).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m triage.ui.screenshots resources/screenshots

# The wheel (dist/*.whl) and the one-folder bundle (dist/flaky-triage/), both smoke-tested as
# installed: the wheel in a fresh venv that has nothing else, the bundle as built from it.
DIST_VENV := build/dist-venv
dist: $(STAMP)
	rm -rf dist build/pyinstaller $(DIST_VENV)
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir dist .
	$(PY) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/pip install --quiet "$$(ls dist/flaky_triage-*.whl)[bundle]"
	$(DIST_VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist \
	    --workpath build/pyinstaller packaging/flaky-triage.spec
	@echo "bundle: $$(du -sh dist/flaky-triage | cut -f1)"
	TRIAGE_EXE=$(CURDIR)/$(DIST_VENV)/bin/triage QT_QPA_PLATFORM=offscreen \
	    $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_bundle.py
	TRIAGE_EXE=$(CURDIR)/dist/flaky-triage/triage QT_QPA_PLATFORM=offscreen \
	    $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_bundle.py

# Re-render resources/icons/ from the SVGs (needs rsvg-convert: apt-get install librsvg2-bin).
icons: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,icons]'
	$(BIN)/python packaging/make_icons.py

clean:
	rm -rf $(VENV) build dist *.egg-info
