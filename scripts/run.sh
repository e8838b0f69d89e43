#!/usr/bin/env bash
# Run panelflow locally: set up .venv, migrate the database, load demo data once, serve.
#
#   scripts/run.sh                  # http://127.0.0.1:5000 on SQLite (instance/panelflow.db)
#   PORT=8000 scripts/run.sh
#   DATABASE_URL=postgresql+psycopg://user@host/db scripts/run.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/setup.sh
.venv/bin/panelflow db upgrade
.venv/bin/panelflow demo seed
# Demo mode lists the demonstration accounts on the sign-in page.
PANELFLOW_DEMO=1 exec .venv/bin/panelflow serve --host 127.0.0.1 --port "${PORT:-5000}"
