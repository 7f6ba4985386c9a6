# The two commands a new user needs: `make demo` and `make test`. Both start with `make setup`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.qantara-installed
DEMO_BLUEPRINT ?= blueprints/ae-health-cloud.yaml
DEMO_ENV ?= prod

.PHONY: setup demo test bench catalog docs clean

setup: $(STAMP)

# Re-install only when the package's dependencies change; the install is editable.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/qantara validate $(DEMO_BLUEPRINT)
	$(BIN)/qantara place $(DEMO_BLUEPRINT)
	$(BIN)/qantara plan $(DEMO_BLUEPRINT) --env $(DEMO_ENV)
	$(BIN)/qantara check $(DEMO_BLUEPRINT) --env $(DEMO_ENV)

# The layers import downward only (import-linter, contracts in pyproject.toml), the code is
# linted (ruff), then the suite runs on every core. worksteal: each worker starts on a
# contiguous share of the tests (a module's cached plans and compiled bundles are built on one
# worker, not on both) and an idle worker takes pending tests from the busy one, so a slow
# directory at the end does not leave a core idle.
test: setup
	$(BIN)/lint-imports
	$(BIN)/ruff check
	$(BIN)/python -m pytest -n auto --dist worksteal

bench: setup
	$(BIN)/python benchmarks/plan_check.py

catalog: setup
	$(BIN)/python scripts/generate_catalog.py
	$(BIN)/python scripts/generate_aws_taggable_types.py
	$(BIN)/python scripts/generate_sagemaker_instance_types.py
	$(BIN)/python scripts/generate_aws_encryption_properties.py

docs: setup
	$(BIN)/qantara docs --out docs/policies.md
	$(BIN)/qantara docs --sovereignty --out docs/sovereignty.md

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache

# Policy-check throughput against checkov on synthetic plans of 1k, 10k and 50k resources;
# checkov gets its own venv (benchmarks/.venv-checkov), made on first run.
.PHONY: bench-check
bench-check: setup
	$(BIN)/python benchmarks/check_throughput.py
