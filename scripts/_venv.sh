# Sourced by demo.sh and test.sh: create .venv and install the app with its extras, once
# (again whenever setup.cfg changes). Needs only Python 3.11.
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
