#!/usr/bin/env bash
# Run the test suite from nothing: creates .venv, installs the app with its test extras, runs pytest.
#   bash scripts/test.sh                 # SQLite (default)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bash scripts/test.sh
#   bash scripts/test.sh -m browser      # real Chromium (Debian's /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ setup.cfg -nt .venv/.installed ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
    touch .venv/.installed
fi
exec .venv/bin/python -m pytest "$@"
