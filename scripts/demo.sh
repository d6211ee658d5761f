#!/usr/bin/env bash
# Run the demo site from nothing on SQLite: creates .venv, installs, migrates, loads demo content
# and demo accounts, then serves http://127.0.0.1:8000/ (admin at /admin/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
# Background tasks (search indexing, large exports, invitations) run inline in the demo:
# no worker to start.
export TASKS_IMMEDIATE="${TASKS_IMMEDIATE:-1}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_initial_data
exec .venv/bin/python manage.py runserver "${DEMO_ADDR:-127.0.0.1:8000}"
