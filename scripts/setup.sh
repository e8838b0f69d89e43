#!/usr/bin/env bash
# Create (or refresh) .venv with panelflow installed editable, plus its [test] extras.
#
# Idempotent and fast on re-runs: pip only runs when pyproject.toml, constraints.txt or the
# interpreter changed since the last successful install (a stamp file inside .venv).
#
#   PANELFLOW_PYTHON=/path/to/python3.11 scripts/setup.sh   # choose the interpreter
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=.venv
STAMP="$VENV/.panelflow-setup-stamp"

log() { printf 'setup: %s\n' "$*" >&2; }

# Two setups at once (two terminals, make test while make run) must not both run pip.
if command -v flock >/dev/null 2>&1; then
    exec 9>"/tmp/panelflow-setup-$(pwd | sha256sum | cut -c1-12).lock"
    flock 9
fi

is_311_plus() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    for candidate in "${PANELFLOW_PYTHON:-}" python3.11 python3; do
        [[ -n "$candidate" ]] || continue
        if command -v "$candidate" >/dev/null 2>&1 && is_311_plus "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

apt_install() {
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing $* with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    else
        log "please install: $*"
        return 1
    fi
}

# A venv whose interpreter has gone away (moved pyenv, removed python) is rebuilt.
if [[ -d "$VENV" ]] && ! "$VENV/bin/python" -c 'pass' >/dev/null 2>&1; then
    log "existing $VENV is broken; recreating it"
    rm -rf "$VENV"
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    if ! PYTHON=$(find_python); then
        apt_install python3 python3-venv
        PYTHON=$(find_python) || { log "Python 3.11 or newer is required"; exit 1; }
    fi
    # Debian's python3 ships without ensurepip until python3-venv is installed.
    if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt_install python3-venv
    fi
    log "creating $VENV with $PYTHON ($("$PYTHON" --version 2>&1))"
    "$PYTHON" -m venv "$VENV"
fi

# PDF documents (panel minutes) are drawn by WeasyPrint, which needs Pango from the system.
has_pango() {
    local ldconfig
    ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
    "$ldconfig" -p 2>/dev/null | grep -q 'libpangoft2-1.0.so'
}
if ! has_pango; then
    apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
        || log "PDF downloads need Pango: install libpango-1.0-0 and libpangoft2-1.0-0"
fi

want=$(
    {
        cat pyproject.toml constraints.txt
        "$VENV/bin/python" -c 'import sys; print(sys.version)'
    } | sha256sum | cut -d' ' -f1
)

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] \
    && "$VENV/bin/python" -c 'import panelflow' >/dev/null 2>&1; then
    log "$VENV is up to date"
    exit 0
fi

log "installing panelflow[test] into $VENV (pinned by constraints.txt)"
rm -f "$STAMP"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -e '.[test]'
echo "$want" >"$STAMP"
log "done"
