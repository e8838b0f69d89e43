# Shortcuts for the scripts in scripts/. `make` alone lists them.
.DEFAULT_GOAL := help
.PHONY: help setup run test lint format vendor

VENV := .venv/bin

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*?## "} {printf "  make %-8s %s\n", $$1, $$2}'

setup: ## Create or refresh .venv (fast when nothing changed)
	./scripts/setup.sh

run: ## Serve http://127.0.0.1:5000 with demo data (PORT=... to change)
	./scripts/run.sh

test: ## Run the suite on SQLite and PostgreSQL (ARGS="-x -k audit" passes to pytest)
	./scripts/test.sh $(ARGS)

lint: setup ## ruff check, ruff format --check and mypy
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy

format: setup ## Apply ruff's safe fixes and formatting
	$(VENV)/ruff check --fix .
	$(VENV)/ruff format .

vendor: ## Re-vendor GOV.UK Frontend into panelflow/static (needs npm)
	./scripts/vendor-govuk-frontend.sh
