# Every target creates .venv on first use, so a fresh clone needs nothing else.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint bench demo screenshots clean report-preview

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check triage tests

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

clean:
	rm -rf $(VENV) build *.egg-info
