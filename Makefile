# make run  - create .venv, install, open the app on the bundled sample project
# make test - same set-up, run every test headless
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: venv run test fuzz lint bench sample clean

# The venv is (re)built when missing or older than pyproject.toml; each target that needs it
# says which: what is installed and how big it is, or that it is up to date.
$(STAMP): pyproject.toml
	@python3 .ci/install_notice.py pyproject.toml
	python3 -m venv $(VENV)
	@echo "make: upgrading pip in $(VENV)"
	@$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install -e '.[test]'
	touch $(STAMP)
	@echo "make: $(VENV) is ready"

venv:
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt pyproject.toml ]; then \
	  echo "make: $(VENV) is up to date with pyproject.toml, nothing to install (make clean to rebuild it)"; \
	else $(MAKE) --no-print-directory $(STAMP); fi

run: venv
	$(PY) main.py

test: venv
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q
	$(VENV)/bin/lint-imports

# fault injection and fuzzing at length: every export killed at every step and system call,
# thousands of mutated inputs per importer (make test runs a few hundred)
fuzz: venv
	SOCIALMAP_FUZZ_CASES=3000 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q tests/faults

lint: venv
	$(VENV)/bin/ruff check socialmap tests sample_data main.py
	$(VENV)/bin/lint-imports

bench: venv
	$(VENV)/bin/socialmap bench --young-people 100000 --gui
	QT_QPA_PLATFORM=offscreen $(PY) -m socialmap.ui.interviewbench --young-people 100000

sample: venv
	$(PY) sample_data/generate.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
