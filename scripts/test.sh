#!/usr/bin/env bash
# Run the test suite from nothing: creates .venv, installs the app with its test extras, runs pytest.
#   bash scripts/test.sh                 # SQLite (default)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bash scripts/test.sh
#   bash scripts/test.sh -m browser      # real Chromium (Debian's /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
exec .venv/bin/python -m pytest "$@"
