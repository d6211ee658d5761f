#!/usr/bin/env bash
# Mutation testing of the rule modules with mutmut: too slow for every CI run, run it by hand.
#
#   bash scripts/mutation.sh                                  # every rule module, whole suite
#   bash scripts/mutation.sh wagtail_satisfaction/guards.py -- tests/test_survey_submission.py
#
# Arguments before "--" are the modules to mutate (default: the rule modules below); after it,
# the tests that may kill a mutant (default: the whole suite). mutmut works in a copy of the
# checkout under a temporary directory, so the checkout is left as it was. The score (killed
# / all mutants) and every surviving mutant with its diff are written to
# benchmarks/results/mutation.txt; a survivor is either killed by a new test or explained
# there as equivalent (see the "Explained survivors" section, kept by hand below the list).
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
    wagtail_satisfaction/reports/exports.py
    wagtail_satisfaction/imports.py
)
modules=() tests=()
seen_separator=0
for arg in "$@"; do
    if [ "$arg" = "--" ]; then seen_separator=1; continue; fi
    if [ $seen_separator = 1 ]; then tests+=("$arg"); else modules+=("$arg"); fi
done
[ ${#modules[@]} -gt 0 ] || modules=("${RULE_MODULES[@]}")
[ ${#tests[@]} -gt 0 ] || tests=(tests)

WORK=$(mktemp -d -t satisfaction-mutation-XXXX)
trap 'rm -rf "$WORK"' EXIT
git ls-files -z | xargs -0 -I{} cp --parents {} "$WORK"/
cd "$WORK"
{
    echo
    echo "[mutmut]"
    echo "source_paths = wagtail_satisfaction"
    echo "only_mutate ="
    printf '    %s\n' "${modules[@]}"
    echo "also_copy ="
    echo "    example_site"
    echo "    manage.py"
    echo "pytest_add_cli_args = -p no:cacheprovider -q"
    echo "pytest_add_cli_args_test_selection ="
    printf '    %s\n' "${tests[@]}"
} >> setup.cfg

started=$(date +%s)
"$PYTHON" -m mutmut run --max-children "${MUTATION_JOBS:-1}" >mutmut.log 2>&1 || {
    tail -40 mutmut.log; exit 1; }
"$PYTHON" -m mutmut results --all true >all.txt 2>/dev/null || true
elapsed=$(( $(date +%s) - started ))

"$PYTHON" - "$RESULTS" "$elapsed" "${modules[*]}" "${tests[*]}" <<'PY'
import re
import subprocess
import sys
from pathlib import Path

results, elapsed, modules, tests = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
statuses = {}
for line in Path("all.txt").read_text().splitlines():
    found = re.match(r"\s*(\S+): (.+)$", line)
    if found:
        statuses[found.group(1)] = found.group(2).strip()
killed = [name for name, status in statuses.items() if status == "killed"]
survived = [name for name, status in statuses.items() if status == "survived"]
other = {name: status for name, status in statuses.items()
         if status not in ("killed", "survived")}
counted = len(killed) + len(survived)
score = 100 * len(killed) / counted if counted else 0
explained = ""
if results.exists() and "## Explained survivors" in results.read_text():
    explained = results.read_text().split("## Explained survivors", 1)[1]
lines = [
    "# Mutation testing (mutmut): bash scripts/mutation.sh",
    f"modules: {modules}",
    f"tests:   {tests}",
    f"time:    {elapsed} s",
    f"mutants: {len(statuses)}; killed {len(killed)}, survived {len(survived)}, "
    f"other {len(other)} ({', '.join(sorted(set(other.values()))) or '-'})",
    f"score:   {score:.1f}% (killed / (killed + survived))",
    "",
    "## Surviving mutants",
]
for name in survived:
    diff = subprocess.run([sys.executable, "-m", "mutmut", "show", name],
                          capture_output=True, text=True, check=False).stdout
    lines += ["", f"### {name}", diff.strip()]
lines += ["", "## Explained survivors" + (explained.rstrip() if explained else
          "\n\n(none yet: each survivor above needs a test that kills it, or a reason here)")]
results.parent.mkdir(parents=True, exist_ok=True)
results.write_text("\n".join(lines) + "\n")
print("\n".join(lines[:6]))
PY
