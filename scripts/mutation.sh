#!/usr/bin/env bash
# Mutation testing of the rule modules with mutmut 3: too slow for every CI run, run it by hand.
#
#   bash scripts/mutation.sh                       # every rule module in turn, smallest first
#   bash scripts/mutation.sh wagtail_satisfaction/reports/scoring.py   # one module
#   bash scripts/mutation.sh wagtail_satisfaction/reports/scoring.py -- tests/test_x.py  # other tests
#   MUTATION_RERUN="name1 'module.*'" bash scripts/mutation.sh MODULE  # (re-)test these mutants only
#   MUTATION_REPORT_ONLY=1 bash scripts/mutation.sh          # rewrite the results file only
#   MUTATION_TAG=rerun MUTATION_RERUN="..." bash scripts/mutation.sh MODULE -- TESTS...
#       # re-test some mutants with more tests in a second work directory (MODULE-rerun),
#       # without resetting the first one's results (a changed test selection resets them);
#       # the results file takes each mutant's status from the latest run that checked it
#
# Each module is mutated on its own, against the test files that exercise it (MODULE_TESTS
# below; after "--" others), in its own copy of the checkout (MUTATION_WORK, default
# /tmp/satisfaction-mutation, one directory per module), so adding a test file for one module
# never throws away the results of another. mutmut first runs those tests once to learn which
# test calls which function, then tests each mutant with only the tests that call the mutated
# function (stopping at the first failure). A second run resumes where the first stopped; a
# changed module has its mutants generated again. Each pytest session starts from a copy of a
# migrated SQLite template in /dev/shm instead of migrating again (the copy only: see the
# conftest lines added below). mutmut runs at idle priority (chrt --idle, nice 19) with
# MUTATION_JOBS children (default 1): on a shared machine it only takes CPU nobody else wants.
#
# A mutant a module's own tests miss may be killed by a test elsewhere in the suite: the score
# is a lower bound of the whole suite's. The score (killed / (killed + survived)) per module
# and in all, over every module run so far, and every surviving mutant with its diff are
# written to benchmarks/results/mutation.txt; a survivor is either killed by a new test or
# explained there as equivalent (the "Explained survivors" section, kept by hand).
# benchmarks/mutation_equivalents.txt lists every explained survivor by name, one a line with
# its kind and a one-line reason: "equivalent" (no test of behaviour can tell it from the
# code), "killed" (killed after the run by the named test, checked with
# scripts/mutation_check.sh), "not-killed" (explained, not killed: PostgreSQL only, ...) or
# "removed" (the mutated code was deleted after the run: it was dead).
# The results file gives per module the raw score, killed / (killed + survived), and the
# score without the equivalent mutants, (killed + killed after the run) / (killed + survived
# - equivalent), and names every survivor the list does not explain (there should be none).
# A module whose work directory is gone (a reboot empties /tmp) keeps the lines of the
# previous results file, marked "carried over", until it is run again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=$ROOT/.venv/bin/python
RESULTS=$ROOT/benchmarks/results/mutation.txt

# Smallest first. The tests of each are those that call it (the admin URL matrix, moderation,
# PDF, retention and settings tests call them only in passing and would make every surviving
# mutant slow).
RULE_MODULES=(
    wagtail_satisfaction/reports/scoring.py
    wagtail_satisfaction/reports/disclosure.py
    wagtail_satisfaction/guards.py
    wagtail_satisfaction/services.py
    wagtail_satisfaction/channels/dossiers.py
    wagtail_satisfaction/reports/filters.py
    wagtail_satisfaction/imports.py
    wagtail_satisfaction/reports/stats.py
    wagtail_satisfaction/flow.py
    wagtail_satisfaction/reports/exports.py
)
declare -A MODULE_TESTS=(
    [wagtail_satisfaction/reports/scoring.py]="tests/test_rule_edges.py
        tests/test_reports_figures.py tests/test_mutation_kills_rules.py"
    [wagtail_satisfaction/reports/disclosure.py]="tests/test_rule_edges.py
        tests/test_protective_rules.py tests/test_reports_small_groups.py
        tests/test_reports_breakdowns.py tests/test_reports_roundtrip.py
        tests/test_mutation_kills_rules.py"
    [wagtail_satisfaction/guards.py]="tests/test_hardening.py tests/test_integrity_limits.py
        tests/test_integrity_dossiers.py tests/test_protective_rules.py tests/test_resubmission.py
        tests/test_channels_dossier_rating.py tests/test_mutation_kills_rules.py"
    [wagtail_satisfaction/services.py]="tests/test_survey_submission.py tests/test_integrity.py
        tests/test_protective_rules.py tests/test_rule_edges.py tests/test_submit_cost.py
        tests/test_mutation_kills_rules.py"
    [wagtail_satisfaction/channels/dossiers.py]="tests/test_channels_dossier_paths.py
        tests/test_channels_dossier_rating.py tests/test_integrity_dossiers.py
        tests/test_channels_invitations.py tests/test_channels_admin.py
        tests/test_channels_staff_screens.py tests/test_rule_edges.py
        tests/test_mutation_kills_dossiers.py"
    [wagtail_satisfaction/reports/filters.py]="tests/test_reports_filter_form.py
        tests/test_reports_views.py tests/test_reports_views_paths.py tests/test_unit_scope.py
        tests/test_reports_small_groups.py tests/test_tally_rollup.py
        tests/test_reports_month_tallies.py tests/test_reports_plan.py
        tests/test_mutation_kills_filters.py"
    [wagtail_satisfaction/imports.py]="tests/test_rule_edges.py
        tests/test_channels_dossier_import.py tests/test_reports_figures.py
        tests/test_protective_rules.py tests/test_mutation_kills_imports.py"
    [wagtail_satisfaction/reports/stats.py]="tests/test_reports_figures.py
        tests/test_reports_small_groups.py tests/test_reports_privacy.py tests/test_reports_views.py
        tests/test_reports_defects.py tests/test_report_properties.py tests/test_public_opendata.py
        tests/test_reports_month_tallies.py tests/test_reports_plan.py
        tests/test_mutation_kills_stats.py"
    [wagtail_satisfaction/flow.py]="tests/test_survey_submission.py tests/test_survey_flow.py
        tests/test_hardening.py tests/test_channels_kiosk.py tests/test_channels_paper.py
        tests/test_channels_dossier_paths.py tests/test_protective_rules.py
        tests/test_integrity_limits.py tests/test_survey_steps.py tests/test_blocks_edges.py
        tests/test_visitor_pages.py tests/test_resubmission.py
        tests/test_mutation_kills_flow.py"
    [wagtail_satisfaction/reports/exports.py]="tests/test_reports_views.py
        tests/test_reports_roundtrip.py tests/test_reports_command.py tests/test_reports_import.py
        tests/test_protective_rules.py tests/test_reports_privacy.py
        tests/test_reports_breakdowns.py tests/test_reports_export_cells.py
        tests/test_report_properties.py tests/test_reports_workbook_layout.py
        tests/test_reports_figures.py tests/test_reports_views_paths.py tests/test_unit_scope.py
        tests/test_mutation_kills_exports.py"
)
modules=() tests=()
seen_separator=0
for arg in "$@"; do
    if [ "$arg" = "--" ]; then seen_separator=1; continue; fi
    if [ $seen_separator = 1 ]; then tests+=("$arg"); else modules+=("$arg"); fi
done
[ ${#modules[@]} -gt 0 ] || modules=("${RULE_MODULES[@]}")

BASE=${MUTATION_WORK:-/tmp/satisfaction-mutation}
TEMPLATE=/dev/shm/satisfaction-mutation-$(id -u)-$(basename "$BASE").sqlite3
unset DATABASE_URL REDIS_URL
if [ -n "${MUTATION_DATABASE_URL:-}" ]; then
    # PostgreSQL, production's database, reaches the paths SQLite never takes (the keyed
    # tallies, the single-statement submission, the export's server-side reader). The URL's
    # database is the migrated template; each pytest session clones it (CREATE DATABASE ...
    # TEMPLATE) under its own name, so parallel children never share one.
    export DATABASE_URL=$MUTATION_DATABASE_URL MUTATION_TEMPLATE_DB=postgresql
    [ -n "${MUTATION_REPORT_ONLY:-}" ] || "$PYTHON" manage.py migrate -v 0
else
    export MUTATION_TEMPLATE_DB=$TEMPLATE
    if [ ! -f "$TEMPLATE" ]; then
        DATABASE_URL="sqlite:///$TEMPLATE" "$PYTHON" manage.py migrate -v 0
    fi
fi

run_module() {  # run_module MODULE TEST...
    local module=$1; shift
    local work=$BASE/$(basename "${module%.py}")${MUTATION_TAG:+-$MUTATION_TAG}
    if [ -n "${MUTATION_REPORT_ONLY:-}" ]; then
        # Read the results only: never copy the checkout over a work directory (a run may
        # be using it) nor create one (a module without one keeps its carried-over lines).
        [ -d "$work" ] || return 0
        (cd "$work" && "$PYTHON" -m mutmut results --all true >all.txt 2>/dev/null) || true
        return 0
    fi
    mkdir -p "$work"
    if [ -n "${MUTATION_DATABASE_URL:-}" ]; then echo postgresql >"$work/database"
    else echo sqlite >"$work/database"; fi
    # A run restricted to some mutants (MUTATION_RERUN) records them: in the results, a
    # module whose only runs are restricted ones is reported per run, beside its carried-over
    # lines (see the report below).
    if [ -n "${MUTATION_RERUN:-}" ]; then echo "$MUTATION_RERUN" >"$work/patterns"
    else rm -f "$work/patterns"; fi
    # Copy the checkout (tracked and new files); mutmut regenerates the mutants of changed
    # modules.
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
        | xargs -0 -I{} cp -p --parents {} "$work"/)
    cd "$work"
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

_deselect_postgres_only = pytest_collection_modifyitems


def pytest_collection_modifyitems(config, items):
    """Fastest tests first (their times from mutmut's first run over them): a mutant is
    usually killed by a quick test, and pytest stops at the first failure. The transactional
    tests stay after the others, as pytest-django orders them: their flush empties the
    tables the migrations filled (Wagtail's site and pages), which the others read."""
    import json

    _deselect_postgres_only(config, items)
    try:
        with open("mutmut-stats.json") as stream:
            durations = json.load(stream)["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return

    def transactional(item):
        marker = item.get_closest_marker("django_db")
        if marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
            return True
        return bool({"transactional_db", "live_server", "django_db_reset_sequences",
                     "django_db_serialized_rollback"} & set(getattr(item, "fixturenames", ())))

    items.sort(key=lambda item: (transactional(item), durations.get(item.nodeid, 0.0)))


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    import shutil

    from django.db import connections

    for alias in connections:
        connections[alias].close()
    # mutmut forks each mutant's session from a process that ran the tests once: caches kept
    # at module level would hold what the unmutated code computed (a mutated _plain would
    # never be called) and rows of another session's database.
    from wagtail_satisfaction import services, survey_cache

    services._plain_fields.clear()
    for cached in (services._statement, services._sort_task):  # built once per process
        getattr(cached, "cache_clear", lambda: None)()  # (a mutated function is not cached)
    survey_cache._entries.clear()
    database = connections["default"].settings_dict
    if os.environ["MUTATION_TEMPLATE_DB"] == "postgresql":
        import psycopg

        template = database["NAME"]
        target = f"{template}_{os.getpid()}"
        server = {"host": database["HOST"] or None, "port": database["PORT"] or None,
                  "user": database["USER"] or None, "password": database["PASSWORD"] or None}
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
            admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
        database["NAME"] = target
        yield
        for alias in connections:
            connections[alias].close()
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        database["NAME"] = template  # the next session in this process clones it again
        return
    target = f"{os.environ['MUTATION_TEMPLATE_DB']}.{os.getpid()}"
    shutil.copyfile(os.environ["MUTATION_TEMPLATE_DB"], target)
    database["NAME"] = target
    yield
    for alias in connections:
        connections[alias].close()
    os.remove(target)
PY
    fi
    "$PYTHON" - setup.cfg "$module" "$*" <<'PY'
import configparser
import sys

path, module, tests = sys.argv[1], sys.argv[2], sys.argv[3].split()
config = configparser.ConfigParser()
config.read(path)
config.remove_section("mutmut")
config["mutmut"] = {
    "source_paths": "wagtail_satisfaction",
    "only_mutate": "\n" + module,
    "also_copy": "\nexample_site\nmanage.py",
    "pytest_add_cli_args": "\n-p\nno:cacheprovider",
    "pytest_add_cli_args_test_selection": "\n" + "\n".join(tests),
    # A mutant stopped after 6 times its tests' usual time is counted as a timeout (mutmut's
    # default, 30 times, lets a mutant that makes the reports slow hold a child for minutes).
    "timeout_multiplier": "3",
    # Log lines are not behaviour a user notices.
    "do_not_mutate_patterns": "\nlogger\\.",
}
with open(path, "w") as stream:
    config.write(stream)
PY
    if [ -z "${MUTATION_REPORT_ONLY:-}" ]; then
        # A mutant that makes a loop endless may also fill the memory: each process is held
        # to 4 GB (the tests need well under 1 GB), so it fails alone instead of waking the
        # kernel's out-of-memory killer, which may pick the database.
        ulimit -v 4194304
        set -f  # MUTATION_RERUN holds name patterns, not file names
        # shellcheck disable=SC2086
        chrt --idle 0 nice -n 19 "$PYTHON" -m mutmut run --max-children "${MUTATION_JOBS:-1}" \
            ${MUTATION_RERUN:-} >mutmut.log 2>&1 || { tail -40 mutmut.log; return 1; }
        set +f
    fi
    "$PYTHON" -m mutmut results --all true >all.txt 2>/dev/null || true
    cd "$ROOT"
}

started=$(date +%s)
for module in "${modules[@]}"; do
    if [ ${#tests[@]} -gt 0 ]; then module_tests=("${tests[@]}")
    else IFS=$' \n' read -r -d '' -a module_tests <<<"${MODULE_TESTS[$module]}" || true; fi
    echo "== $module: ${module_tests[*]}"
    run_module "$module" "${module_tests[@]}"
done
elapsed=$(( $(date +%s) - started ))

"$PYTHON" - "$RESULTS" "$elapsed" "$BASE" "$ROOT/benchmarks/mutation_equivalents.txt" <<'PY'
import configparser
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

results, elapsed, base = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
# name -> (kind, reason): the survivors explained by hand (see the header).
KINDS = ("equivalent", "killed", "not-killed", "removed")
listed = {}
for number, line in enumerate(Path(sys.argv[4]).read_text().splitlines(), 1):
    if not line.strip() or line.startswith("#"):
        continue
    name, kind, reason = (line.split(None, 2) + ["", ""])[:3]
    if kind not in KINDS or not reason:
        sys.exit(f"{sys.argv[4]}:{number}: expected NAME {'|'.join(KINDS)} REASON")
    listed[name] = (kind, reason)
statuses, work_of, tests_of, databases_of = {}, {}, {}, {}
partial_of = {}  # mutant -> (work directory, patterns) of a module with restricted runs only


def module_of_work(work):
    config = configparser.ConfigParser()
    config.read(work / "setup.cfg")
    return config["mutmut"]["only_mutate"].strip()


def source_module_of(name):
    head = name.split("__mutmut_")[0]
    parts = head.split(".")
    while parts and not (Path(*parts[:-1]).with_suffix(".py").exists() if len(parts) > 1
                         else False):
        parts = parts[:-1]
    return ".".join(parts[:-1]) if parts else head


def module_dotted(path):
    return path.removesuffix(".py").replace("/", ".")


works = sorted((path.parent for path in base.glob("*/all.txt")),
               key=lambda work: ("-" in work.name, work.name))
fully_run = {module_of_work(work) for work in works if not (work / "patterns").exists()}
# A module's untagged run first, then its tagged runs (MUTATION_TAG, in name order): a tagged
# run overrides the status of each mutant it checked; the others keep the earlier status.
# Except across databases, where only a kill counts: a mutant killed on one database stays
# killed whatever a run on the other says, as CI runs the suite on both (SQLite's export and
# submission paths never run on PostgreSQL, nor the keyed tallies on SQLite), and a survivor
# stays one whatever the other database says ("no tests" where its code never runs); a mutant
# with no tests on one database takes the other's status.
database_of = {}
for work in works:
    config = configparser.ConfigParser()
    config.read(work / "setup.cfg")
    module = config["mutmut"]["only_mutate"].strip()
    restricted = module not in fully_run
    # A later run of a changed module lists every mutant of the module as it is now: the
    # earlier runs' mutants of code deleted or rewritten since are dropped.
    current = {found.group(1) for found in (
        re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line)
        for line in (work / "all.txt").read_text().splitlines()) if found}
    for name in [name for name in statuses
                 if name not in current and source_module_of(name) == module_dotted(module)]:
        del statuses[name], work_of[name], database_of[name]
        partial_of.pop(name, None)
    database = work / "database"
    run_database = database.read_text().strip() if database.exists() else "sqlite"
    databases_of.setdefault(module, set()).add(run_database)
    tests_of[module] = list(dict.fromkeys(
        tests_of.get(module, []) + config["mutmut"]["pytest_add_cli_args_test_selection"].split()))
    for line in (work / "all.txt").read_text().splitlines():
        found = re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line)
        if restricted and found and found.group(2).strip() == "not checked":
            continue  # outside the run's patterns
        if (found and found.group(1) in statuses and found.group(2).strip() != "killed"
                and statuses[found.group(1)] != "no tests"
                and database_of[found.group(1)] != run_database):
            continue  # only a kill (or a test where the other had none) counts across databases
        if found and not (found.group(2).strip() == "not checked" and found.group(1) in statuses):
            statuses[found.group(1)] = found.group(2).strip()
            work_of[found.group(1)] = work
            database_of[found.group(1)] = run_database
            if restricted:
                partial_of[found.group(1)] = (work.name,
                                              (work / "patterns").read_text().split())


def module_of(name):
    # wagtail_satisfaction.reports.scoring.x_score_answers__mutmut_3 -> ...reports.scoring;
    # a mutant of a module run only in part: "...reports.exports [run NAME]"
    if name in partial_of:
        return f"{source_module_of(name)} [run {partial_of[name][0]}]"
    return source_module_of(name)


per_module = {}
for name, status in statuses.items():
    per_module.setdefault(module_of(name), Counter())[status] += 1


def score(counter):
    counted = counter["killed"] + counter["survived"]
    return 100 * counter["killed"] / counted if counted else 0.0


# A module whose work directory is gone (MUTATION_WORK is under /tmp, emptied by a reboot)
# keeps its score, tests and survivors from the previous results file, marked as carried over.
previous = results.read_text() if results.exists() else ""
carried_score, carried_tests, carried_survivors = {}, {}, {}
if previous:
    head, _, rest = previous.partition("## Surviving mutants")
    for line in head.split("## Score per module", 1)[-1].splitlines():
        found = re.match(r"(wagtail_satisfaction\.[\w.]+): \S+ \(([^)]*)\)", line)
        if found and found.group(1) not in per_module:
            carried_score[found.group(1)] = Counter({
                status: int(count) for status, count in
                (re.match(r"(.+) (\d+)$", part.strip()).groups()
                 for part in found.group(2).split(","))})
    for line in head.split("## Tests run against each module", 1)[-1].splitlines():
        found = re.match(r"(wagtail_satisfaction/\S+\.py)(?: \[([\w, ]+)\])?: (.*)", line)
        if found and found.group(1) not in tests_of:
            dotted = found.group(1)[:-3].replace("/", ".")
            if dotted in carried_score:
                carried_tests[found.group(1)] = found.group(3).split()
                if found.group(2):  # the database its carried-over run used
                    databases_of[found.group(1)] = set(found.group(2).split(", "))
    survivors_text = rest.split("\n## Explained survivors", 1)[0]
    for block in survivors_text.split("\n### ")[1:]:
        name = block.split("\n", 1)[0].strip()
        if module_of(name) in carried_score:
            carried_survivors[name] = block.split("\n", 1)[1].strip()
# A carried-over survivor that a later restricted run checked again counts there, not here
# (the carried lines' survivors are those still listed under the module).
moved = {}
for module, counter in carried_score.items():
    here = sum(1 for name in carried_survivors if module_of(name) == module)
    if here < counter["survived"]:
        moved[module] = counter["survived"] - here
        counter["survived"] = here
for module, counter in carried_score.items():
    per_module[module] = counter
tests_of.update(carried_tests)

total = sum(per_module.values(), Counter())
explained = ""
if results.exists() and "## Explained survivors" in results.read_text():
    explained = results.read_text().split("## Explained survivors", 1)[1]
lines = [
    "# Mutation testing (mutmut 3): bash scripts/mutation.sh",
    "modules: " + " ".join(sorted(tests_of)),
    f"time:    {elapsed} s (the last run; a run resumes where the previous one stopped)",
    f"mutants: {sum(total.values())}; "
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
                 f"survived {counter['survived']}{', ' + rest if rest else ''})"
                 + (" [carried over: its work directory is gone]"
                    if module in carried_score else "")
                 + (f" ({moved[module]} more survivors checked again by a later run, counted"
                    " there)" if module in moved else "")
                 + next((f" (only the mutants {' '.join(patterns)})"
                         for name, (_work, patterns) in partial_of.items()
                         if module_of(name) == module), ""))
survivors_of = {}
for name, status in statuses.items():
    if status == "survived":
        survivors_of.setdefault(module_of(name), []).append(name)
for name in carried_survivors:
    survivors_of.setdefault(module_of(name), []).append(name)
lines += [
    "",
    "## Scores with the explained survivors (benchmarks/mutation_equivalents.txt)",
    "",
    "raw = killed / (killed + survived), as mutmut counted them. excl. equivalent = (killed",
    "+ killed after the run) / (killed + survived - equivalent): the textbook score, killed",
    "over the mutants that are not equivalent. \"killed after\": survived the run (its tests",
    "were copied before the kill test was written), then killed by that test",
    "(scripts/mutation_check.sh). \"not killed\": explained, not killed (PostgreSQL only, ...).",
    "\"removed\": a carried-over survivor whose code was deleted since (dead code); counted",
    "in neither score's denominator, as an equivalent one.",
    "Not checked, no tests and timeout mutants count in neither score.",
    "",
    "| module | killed | survived | equivalent | killed after | not killed | removed "
    "| unexplained | raw | excl. equivalent |",
    "|---|---|---|---|---|---|---|---|---|---|",
]
unexplained, all_survivors = [], set()
for module, counter in sorted(per_module.items()):
    names = survivors_of.get(module, [])
    all_survivors.update(names)
    kinds = Counter(listed[name][0] for name in names if name in listed)
    unexplained += [name for name in names if name not in listed]
    counted = counter["killed"] + counter["survived"]
    real = counted - kinds["equivalent"] - kinds["removed"]
    raw = f"{score(counter):.1f}%" if counted else "n/a"
    textbook = (f"{100 * (counter['killed'] + kinds['killed']) / real:.1f}%" if real
                else "n/a")
    lines.append(f"| {module.removeprefix('wagtail_satisfaction.')} | {counter['killed']} "
                 f"| {counter['survived']} | {kinds['equivalent']} | {kinds['killed']} "
                 f"| {kinds['not-killed']} | {kinds['removed']} "
                 f"| {len([n for n in names if n not in listed])} "
                 f"| {raw} | {textbook} |")
lines += ["", "Survivors neither killed nor explained: "
          + (", ".join(unexplained) if unexplained else "none")]
stale = sorted(name for name in listed if name not in all_survivors)
if stale:
    lines += ["Listed in mutation_equivalents.txt but not a survivor of the latest runs "
              f"(killed since, or its module not run): {len(stale)}"]
lines += ["", "## Tests run against each module", ""]
lines += [f"{module} [{', '.join(sorted(databases_of.get(module, {'sqlite'})))}]: "
          f"{' '.join(tests)}" for module, tests in sorted(tests_of.items())]
lines += ["", "## Surviving mutants"]
for name, status in statuses.items():
    if status != "survived":
        continue
    diff = subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=work_of[name],
                          capture_output=True, text=True, check=False).stdout
    lines += ["", f"### {name}", diff.strip()]
for name, diff in carried_survivors.items():
    lines += ["", f"### {name}", diff]
lines += ["", "## Explained survivors" + (explained.rstrip() if explained else
          "\n\n(none yet: each survivor above needs a test that kills it, or a reason here)")]
results.parent.mkdir(parents=True, exist_ok=True)
results.write_text("\n".join(lines) + "\n")
print("\n".join(line for line in lines if line.startswith(("score", "|", "Survivors ")))
      or "\n".join(lines[:8]))
PY
