#!/usr/bin/env bash
# Check named mutants of a module against a test file written after the module's mutmut run,
# without running mutmut again: each mutant is switched on as mutmut does
# (MUTANT_UNDER_TEST, in the module's work directory of scripts/mutation.sh) and the test
# file must fail; with no mutant it must pass.
#
#   bash scripts/mutation_check.sh reports/exports tests/test_mutation_kills_exports.py \
#       wagtail_satisfaction.reports.exports.x_iter_csv__mutmut_3 ...
#   MUTATION_CHECK_K="qr_image" bash scripts/mutation_check.sh ...   # only these tests (-k)
#   MUTATION_TAG=pg MUTATION_DATABASE_URL=postgres://... bash scripts/mutation_check.sh ...
#       # a module run on PostgreSQL (its work directory MODULE-pg)
#
# Prints KILLED or SURVIVED per mutant; exit status 1 if the test fails unmutated.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
work=${MUTATION_WORK:-/tmp/satisfaction-mutation}/$(basename "$1")${MUTATION_TAG:+-$MUTATION_TAG}/mutants
test_file=$2
shift 2
cp "$ROOT/$test_file" "$work/$test_file"
cd "$work"
unset DATABASE_URL REDIS_URL
if [ -n "${MUTATION_DATABASE_URL:-}" ]; then  # a PostgreSQL run (see scripts/mutation.sh)
    export DATABASE_URL=$MUTATION_DATABASE_URL MUTATION_TEMPLATE_DB=postgresql
else
    export MUTATION_TEMPLATE_DB=/dev/shm/satisfaction-mutation-$(id -u)-$(basename "${MUTATION_WORK:-/tmp/satisfaction-mutation}").sqlite3
fi
ulimit -v 4194304  # a mutant's endless loop fails alone (see scripts/mutation.sh)
run() { nice -n 19 "$ROOT/.venv/bin/python" -m pytest -q -x -p no:cacheprovider \
        -p no:randomly ${MUTATION_CHECK_K:+-k "$MUTATION_CHECK_K"} "$test_file" >/dev/null 2>&1; }
if ! MUTANT_UNDER_TEST= run; then echo "$test_file fails without a mutant"; exit 1; fi
for mutant in "$@"; do
    if MUTANT_UNDER_TEST=$mutant run; then echo "SURVIVED $mutant"; else echo "KILLED $mutant"; fi
done
