# Two commands do everything on a fresh machine with Python 3.11:
#   make figures   set up .venv (if needed), run every notebook, write figures/ and data/processed/
#   make test      set up .venv (if needed), run the whole suite, notebooks included
#   make report    run the notebooks (if needed) and build one offline HTML report: build/report/index.html
#   make lab       JupyterLab at the project root (extra arguments: make lab ARGS="--no-browser --port 8899")
# Set-up is skipped when the lock and pyproject.toml have not changed since the last install.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: figures test lab lock setup clean bench fuzz report browser

figures: $(STAMP)
	$(VENV)/bin/troopwatch run

test: $(STAMP) browser
	$(PY) -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

# The kernel has the name and display name the committed notebooks use, so opening one does not modify it.
ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
lab: $(STAMP)
	$(PY) -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (ipykernel)" >/dev/null
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ROOT_FLAG) $(ARGS)

report: $(STAMP)
	$(VENV)/bin/troopwatch run
	$(PY) -m troopwatch.report build/report

setup: $(STAMP) browser

# Headless Chromium for the test that renders the HTML figures: Debian's package, installed when missing and
# apt is there; without it that test is skipped (with its reason), and set-up goes on.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	    ( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null ) \
	      || echo "make: could not install chromium with apt; the HTML figure test will be skipped"; \
	  else echo "make: no chromium and no apt-get; the HTML figure test will be skipped"; fi; }

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
