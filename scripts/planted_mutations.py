"""Plant, one at a time, the six bugs of issue 10 that the suite once missed, and check that the
test named for each fails (and passes on the unchanged code).

    .venv/bin/python scripts/planted_mutations.py        # all six
    .venv/bin/python scripts/planted_mutations.py 3 5    # some of them, by number

Works in a copy of the checkout (/tmp/satisfaction-planted), never in the checkout itself; runs
at idle priority. Exit status 0 only when every named test passes unchanged and fails planted.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("PLANTED_WORK", "/tmp/satisfaction-planted"))
RULES = "tests/test_protective_rules.py::"

# (what the reviewer planted, file, text, planted text, the test that must catch it)
PLANTED = [
    ("officer small-group rule in the breakdown: >= -> >",
     "wagtail_satisfaction/reports/disclosure.py",
     "if row.responses >= minimum]", "if row.responses > minimum]",
     RULES + "test_an_officer_rated_exactly_the_minimum_times_is_shown_in_the_breakdown"),
    ("officer filter refusal on the report page: < -> <=",
     "wagtail_satisfaction/reports/disclosure.py",
     "if responses < minimum_group_size():", "if responses <= minimum_group_size():",
     RULES + "test_the_report_filtered_on_an_officer_rated_exactly_the_minimum_times_is_shown"),
    ("formula escaping without +",
     "wagtail_satisfaction/reports/exports.py",
     'FORMULA_STARTS = ("=", "+", "-", "@", "\\t", "\\r")',
     'FORMULA_STARTS = ("=", "-", "@", "\\t", "\\r")',
     RULES + "test_every_formula_start_is_neutralised_in_the_csv_export"),
    ("formula escaping removed from the csv path",
     "wagtail_satisfaction/reports/exports.py",
     "_csv_cell(neutralise(v))", "_csv_cell(v)",
     RULES + "test_every_formula_start_is_neutralised_in_the_csv_export"),
    ("honeypot removed from the kiosk",
     "wagtail_satisfaction/channels/kiosk.py",
     '        units = Unit.objects.within(kiosk.unit)\n',
     '        del self.fields[get_setting("HONEYPOT_FIELD")]\n'
     '        units = Unit.objects.within(kiosk.unit)\n',
     RULES + "test_the_kiosk_form_carries_the_honeypot_and_refuses_a_filled_one"),
    ("dossier code no longer upper-cased before the duplicate guard",
     "wagtail_satisfaction/services.py",
     'dossier_code = (dossier_code or "").strip().upper()',
     'dossier_code = (dossier_code or "").strip()',
     RULES + "test_a_lower_case_dossier_code_is_the_same_dossier_for_the_duplicate_guard"),
]


def copy_checkout():
    if WORK.exists():
        shutil.rmtree(WORK)
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        target = WORK / name.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name.decode()).is_file():
            shutil.copy2(ROOT / name.decode(), target)


def run_test(test):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        ["chrt", "--idle", "0", "nice", "-n", "19", str(ROOT / ".venv/bin/python"), "-m",
         "pytest", "-q", "-x", "-p", "no:cacheprovider", test],
        cwd=WORK, env=environment, capture_output=True, text=True).returncode


def main(chosen):
    copy_checkout()
    failures = 0
    for number, (what, path, text, planted, test) in enumerate(PLANTED, 1):
        if chosen and number not in chosen:
            continue
        source = WORK / path
        original = source.read_text()
        if original.count(text) != 1:
            print(f"{number}. {what}: the text to change is not found once in {path}")
            failures += 1
            continue
        clean = run_test(test)
        source.write_text(original.replace(text, planted))
        try:
            mutated = run_test(test)
        finally:
            source.write_text(original)
        caught = clean == 0 and mutated == 1
        failures += not caught
        print(f"{number}. {what}: {'CAUGHT' if caught else 'NOT CAUGHT'} by {test}"
              f" (unchanged: exit {clean}, planted: exit {mutated})", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main({int(arg) for arg in sys.argv[1:]}))
