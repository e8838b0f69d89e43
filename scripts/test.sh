#!/usr/bin/env bash
# Run the whole test suite, on a fresh Debian 12 machine as root or on a developer's.
#
#   1. apt-get installs whatever is missing of PostgreSQL, Graphviz and Chromium;
#   2. scripts/setup.sh prepares .venv;
#   3. pytest on SQLite: everything, browser tests in real Chromium included; and at the same
#      time, pytest on a throwaway PostgreSQL cluster: everything again, on PostgreSQL.
#
# Arguments are passed to both pytest runs:  scripts/test.sh -x -k audit
# Fails if either run fails, or if a run collected no tests at all.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

APT_PACKAGES=(postgresql graphviz chromium chromium-driver fonts-liberation)

header() {
    printf '\n==== %s ====\n\n' "$*"
}

install_missing_packages() {
    local pkg missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "test.sh: missing system packages: ${missing[*]} (install them as root)" >&2
        exit 1
    fi
    header "Installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Runs pytest; returns its exit status, except "no tests collected" (5) becomes a failure.
run_pytest() {
    local label=$1 status=0
    shift
    "$@" || status=$?
    if ((status == 5)); then
        echo "test.sh: the $label run collected no tests (pytest exit 5): failing" >&2
        return 1
    fi
    return "$status"
}

# The single sign-on tests run a real OpenID provider (panva's oidc-provider) on Node.
install_node() {
    if ! command -v node >/dev/null; then
        header "Installing nodejs and npm"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    elif ! command -v npm >/dev/null; then
        apt-get install -y -qq --no-install-recommends npm >/dev/null
    fi
    npm ci --prefix tests/sso/provider --no-audit --no-fund --loglevel=error >/dev/null
}

install_missing_packages
install_node
./scripts/setup.sh
export PANELFLOW_REQUIRE_SSO=1  # a missing provider fails the run instead of skipping

header "Starting a throwaway PostgreSQL cluster"
PGROOT=""
cleanup() { [[ -z "$PGROOT" ]] || ./scripts/pg-cluster.sh stop "$PGROOT"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pg_env=$(./scripts/pg-cluster.sh start panelflow_test)
eval "$pg_env"
echo "PostgreSQL on 127.0.0.1:$PGPORT (data in $PGROOT)"

# Browser tests skip themselves when Chromium is absent, unless told it must be there.
export PANELFLOW_REQUIRE_BROWSER=1
failed=()

# The two runs go side by side (much of each is waiting on a browser or a database), each
# with its own temporary folder and log; each log is shown when its run ends.
runs=$(mktemp -d)
header "pytest on SQLite and on PostgreSQL, side by side (all tests, browser included)"
run_pytest SQLite env -u PANELFLOW_TEST_DATABASE_URL \
    .venv/bin/pytest --basetemp="$runs/sqlite" "$@" >"$runs/sqlite.log" 2>&1 &
sqlite_run=$!
run_pytest PostgreSQL env \
    PANELFLOW_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/panelflow_test" \
    .venv/bin/pytest --basetemp="$runs/postgresql" "$@" >"$runs/postgresql.log" 2>&1 &
postgresql_run=$!
wait "$sqlite_run" || failed+=(SQLite)
header "pytest on SQLite"
cat "$runs/sqlite.log"
wait "$postgresql_run" || failed+=(PostgreSQL)
header "pytest on PostgreSQL"
cat "$runs/postgresql.log"
rm -rf "$runs"

if ((${#failed[@]})); then
    echo "test.sh: FAILED on ${failed[*]}" >&2
    exit 1
fi
