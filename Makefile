# make run  - create .venv, install, open the app on the bundled sample project
# make test - same set-up, run every test headless
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test fuzz lint bench sample clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q
	$(VENV)/bin/lint-imports

# fault injection and fuzzing at length: every export killed at every step and system call,
# thousands of mutated inputs per importer (make test runs a few hundred)
fuzz: $(STAMP)
	SOCIALMAP_FUZZ_CASES=3000 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q tests/faults

lint: $(STAMP)
	$(VENV)/bin/ruff check socialmap tests sample_data main.py
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(VENV)/bin/socialmap bench --young-people 100000
	QT_QPA_PLATFORM=offscreen $(PY) -m socialmap.ui.guibench --young-people 100000

sample: $(STAMP)
	$(PY) sample_data/generate.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
