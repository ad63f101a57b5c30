# The two commands of the README. Each creates .venv if needed and installs what it uses.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Check and verify the shipped specs, then build their tables into build/ (build writes only verified specs).
run: $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/veripath build specs/ --out build/

# Lint, type-check and test.
test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest
