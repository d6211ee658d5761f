#!/usr/bin/env bash
# Mutation testing of the rule modules with mutmut 3: too slow for every CI run, run it by hand.
#
#   bash scripts/mutation.sh                       # every rule module, its tests (RULE_TESTS below)
#   bash scripts/mutation.sh wagtail_satisfaction/reports/scoring.py -- tests/test_survey_submission.py
#   MUTATION_RERUN="name1 'module.*'" bash scripts/mutation.sh  # (re-)test these mutants only
#   MUTATION_REPORT_ONLY=1 bash scripts/mutation.sh          # rewrite the results file only
#
# Arguments before "--" are the modules to mutate (default: RULE_MODULES); after it, the tests
# that may kill a mutant (default: RULE_TESTS). mutmut first runs those tests once to learn which
# test calls which function, then tests each mutant with only the tests that call the mutated
# function (stopping at the first failure). It works in a copy of the checkout (MUTATION_WORK,
# default /tmp/satisfaction-mutation), so the checkout is left as it was; a second run resumes
# where the first stopped. Each pytest session starts from a copy of a migrated SQLite template
# in /dev/shm instead of migrating again (the copy only: see the conftest lines added below).
#
# The score (killed / (killed + survived)) per module and in all, and every surviving mutant
# with its diff are written to benchmarks/results/mutation.txt; a survivor is either killed by a
# new test or explained there as equivalent (the "Explained survivors" section, kept by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=$ROOT/.venv/bin/python
RESULTS=$ROOT/benchmarks/results/mutation.txt

RULE_MODULES=(
    wagtail_satisfaction/services.py
    wagtail_satisfaction/guards.py
    wagtail_satisfaction/flow.py
    wagtail_satisfaction/channels/dossiers.py
    wagtail_satisfaction/reports/stats.py
    wagtail_satisfaction/reports/filters.py
    wagtail_satisfaction/reports/scoring.py
    wagtail_satisfaction/reports/disclosure.py
    wagtail_satisfaction/reports/exports.py
    wagtail_satisfaction/imports.py
)
# The tests that exercise those modules (the admin URL matrix, moderation, PDF, retention and
# settings tests call them only in passing and would make every surviving mutant slow).
RULE_TESTS=(
    tests/test_protective_rules.py
    tests/test_rule_edges.py
    tests/test_survey_submission.py
    tests/test_survey_flow.py
    tests/test_hardening.py
    tests/test_integrity.py
    tests/test_integrity_limits.py
    tests/test_integrity_dossiers.py
    tests/test_channels_dossier_paths.py
    tests/test_channels_dossier_rating.py
    tests/test_channels_dossier_import.py
    tests/test_channels_kiosk.py
    tests/test_channels_paper.py
    tests/test_channels_paper_rules.py
    tests/test_reports_figures.py
    tests/test_reports_small_groups.py
    tests/test_reports_privacy.py
    tests/test_reports_views.py
    tests/test_reports_views_paths.py
    tests/test_reports_import.py
    tests/test_reports_import_rows.py
    tests/test_reports_filter_form.py
    tests/test_reports_roundtrip.py
    tests/test_reports_defects.py
    tests/test_reports_command.py
    tests/test_report_properties.py
    tests/test_public_opendata.py
    tests/test_unit_scope.py
)
modules=() tests=()
seen_separator=0
for arg in "$@"; do
    if [ "$arg" = "--" ]; then seen_separator=1; continue; fi
    if [ $seen_separator = 1 ]; then tests+=("$arg"); else modules+=("$arg"); fi
done
[ ${#modules[@]} -gt 0 ] || modules=("${RULE_MODULES[@]}")
[ ${#tests[@]} -gt 0 ] || tests=("${RULE_TESTS[@]}")

WORK=${MUTATION_WORK:-/tmp/satisfaction-mutation}
TEMPLATE=/dev/shm/satisfaction-mutation-$(id -u)-$(basename "$WORK").sqlite3
mkdir -p "$WORK"
# Copy the checkout (tracked and new files); mutmut regenerates the mutants of changed modules.
git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp -p --parents {} "$WORK"/
cd "$WORK"
rm -f mutmut.log
if ! grep -q "MUTATION_TEMPLATE_DB" tests/conftest.py; then
    cat >>tests/conftest.py <<'PY'


# Added by scripts/mutation.sh in its copy of the checkout: every pytest session (one per
# mutant) starts from a copy of an already migrated database instead of migrating again, and
# the property tests may run in several sessions of one process.
settings.register_profile("mutation", parent=settings.get_profile("ci"),
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.differing_executors])
settings.load_profile("mutation")


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    import shutil

    from django.db import connections

    target = f"{os.environ['MUTATION_TEMPLATE_DB']}.{os.getpid()}"
    shutil.copyfile(os.environ["MUTATION_TEMPLATE_DB"], target)
    for alias in connections:
        connections[alias].close()
    connections["default"].settings_dict["NAME"] = target
    yield
    for alias in connections:
        connections[alias].close()
    os.remove(target)
PY
fi
unset DATABASE_URL REDIS_URL
export MUTATION_TEMPLATE_DB=$TEMPLATE
if [ ! -f "$TEMPLATE" ]; then
    DATABASE_URL="sqlite:///$TEMPLATE" "$PYTHON" manage.py migrate -v 0
fi
"$PYTHON" - setup.cfg "${modules[*]}" "${tests[*]}" <<'PY'
import configparser
import sys

path, modules, tests = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
config = configparser.ConfigParser()
config.read(path)
config.remove_section("mutmut")
config["mutmut"] = {
    "source_paths": "wagtail_satisfaction",
    "only_mutate": "\n" + "\n".join(modules),
    "also_copy": "\nexample_site\nmanage.py",
    "pytest_add_cli_args": "\n-p\nno:cacheprovider",
    "pytest_add_cli_args_test_selection": "\n" + "\n".join(tests),
    # Log lines are not behaviour a user notices.
    "do_not_mutate_patterns": "\nlogger\\.",
}
with open(path, "w") as stream:
    config.write(stream)
PY

started=$(date +%s)
if [ -z "${MUTATION_REPORT_ONLY:-}" ]; then
    set -f  # MUTATION_RERUN holds name patterns, not file names
    # shellcheck disable=SC2086
    nice -n 10 "$PYTHON" -m mutmut run --max-children "${MUTATION_JOBS:-1}" ${MUTATION_RERUN:-} \
        >mutmut.log 2>&1 || { tail -40 mutmut.log; exit 1; }
fi
"$PYTHON" -m mutmut results --all true >all.txt 2>/dev/null || true
elapsed=$(( $(date +%s) - started ))

"$PYTHON" - "$RESULTS" "$elapsed" "${modules[*]}" "${tests[*]}" <<'PY'
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

results, elapsed, modules, tests = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
statuses = {}
for line in Path("all.txt").read_text().splitlines():
    found = re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line)
    if found:
        statuses[found.group(1)] = found.group(2).strip()


def module_of(name):
    # wagtail_satisfaction.reports.scoring.x_score_answers__mutmut_3 -> ...reports.scoring
    head = name.split("__mutmut_")[0]
    parts = head.split(".")
    while parts and not (Path(*parts[:-1]).with_suffix(".py").exists() if len(parts) > 1
                         else False):
        parts = parts[:-1]
    return ".".join(parts[:-1]) if parts else head


per_module = {}
for name, status in statuses.items():
    per_module.setdefault(module_of(name), Counter())[status] += 1


def score(counter):
    counted = counter["killed"] + counter["survived"]
    return 100 * counter["killed"] / counted if counted else 0.0


total = sum(per_module.values(), Counter())
explained = ""
if results.exists() and "## Explained survivors" in results.read_text():
    explained = results.read_text().split("## Explained survivors", 1)[1]
lines = [
    "# Mutation testing (mutmut 3): bash scripts/mutation.sh",
    f"modules: {modules}",
    f"tests:   {tests}",
    f"time:    {elapsed} s (this run; a run resumes where the previous one stopped)",
    f"mutants: {len(statuses)}; "
    + ", ".join(f"{status} {count}" for status, count in sorted(total.items())),
    f"score:   {score(total):.1f}% (killed / (killed + survived))",
    "",
    "## Score per module",
    "",
]
for module, counter in sorted(per_module.items()):
    rest = ", ".join(f"{status} {count}" for status, count in sorted(counter.items())
                     if status not in ("killed", "survived"))
    counted = counter["killed"] + counter["survived"]
    shown = f"{score(counter):.1f}%" if counted else "n/a"
    lines.append(f"{module}: {shown} (killed {counter['killed']}, "
                 f"survived {counter['survived']}{', ' + rest if rest else ''})")
lines += ["", "## Surviving mutants"]
for name, status in statuses.items():
    if status != "survived":
        continue
    diff = subprocess.run([sys.executable, "-m", "mutmut", "show", name],
                          capture_output=True, text=True, check=False).stdout
    lines += ["", f"### {name}", diff.strip()]
lines += ["", "## Explained survivors" + (explained.rstrip() if explained else
          "\n\n(none yet: each survivor above needs a test that kills it, or a reason here)")]
results.parent.mkdir(parents=True, exist_ok=True)
results.write_text("\n".join(lines) + "\n")
print("\n".join(lines[:6 + 3 + len(per_module)]))
PY
