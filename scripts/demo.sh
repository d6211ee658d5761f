#!/usr/bin/env bash
# Run the demo site from nothing on SQLite: creates .venv, installs, migrates, loads demo content
# and demo accounts, then serves http://127.0.0.1:8000/ (admin at /admin/).
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
# Background tasks (search indexing, large exports, invitations) run inline in the demo:
# no worker to start.
export TASKS_IMMEDIATE="${TASKS_IMMEDIATE:-1}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_initial_data
exec .venv/bin/python manage.py runserver "${DEMO_ADDR:-127.0.0.1:8000}"
