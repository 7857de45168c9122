# Every target creates .venv on first use, so a fresh clone needs nothing else.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint bench demo icons clean

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

demo: $(STAMP)
	$(BIN)/triage demo

# Re-render resources/icons/ from the SVGs (needs rsvg-convert: apt-get install librsvg2-bin).
icons: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,icons]'
	$(BIN)/python packaging/make_icons.py

clean:
	rm -rf $(VENV) build *.egg-info
