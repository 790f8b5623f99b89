# Two commands do everything on a fresh machine with Python 3.11:
#   make figures   set up .venv (if needed), run every notebook, write figures/ and data/processed/
#   make test      set up .venv (if needed), run the whole suite, notebooks included
# Set-up is skipped when the lock and pyproject.toml have not changed since the last install.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: figures test lab lock setup clean bench fuzz

figures: $(STAMP)
	$(VENV)/bin/troopwatch run

test: $(STAMP)
	$(PY) -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

lab: $(STAMP)
	$(PY) -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (troopwatch)" >/dev/null
	$(VENV)/bin/jupyter lab notebooks/

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11'"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-pin every dependency after changing pyproject.toml (needs network access to PyPI).
lock:
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock
	$(PY) -m troopwatch.envsync

# Fuzz every extractor and the command line with thousands of random inputs (CI runs a fixed few).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py tests/test_numbers.py tests/test_claims.py tests/test_dates.py tests/test_text.py

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf build .pytest_cache
