"""The repository stays releasable: system checks, migrations and lint."""

import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_migrations_are_in_step_with_models():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compiled_vietnamese_translations_are_current():
    po = ROOT / "wagtail_satisfaction/locale/vi/LC_MESSAGES/django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_size > 0
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True, check=False) \
        if shutil.which("msgfmt") else None
    assert result is None or result.returncode == 0, result.stderr


def _catalogue_entries(entries):
    """{(context, msgid, plural msgid): translations} of the translated entries."""
    table = {}
    for entry in entries:
        plural = [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)] \
            if entry.msgid_plural else []
        texts = tuple(plural) if plural else (entry.msgstr,)
        if entry.msgid and any(texts):
            table[(entry.msgctxt or None, entry.msgid, entry.msgid_plural or None)] = texts
    return table


def test_the_compiled_catalogue_holds_exactly_what_the_po_file_says():
    """A .po edited (or regenerated) without compiling leaves a stale .mo: the site would
    show old or English text. Every translation of the .po must be in the .mo, the same."""
    import polib

    po = ROOT / "wagtail_satisfaction/locale/vi/LC_MESSAGES/django.po"
    source = _catalogue_entries(polib.pofile(str(po)))
    compiled = _catalogue_entries(polib.mofile(str(po.with_suffix(".mo"))))
    stale = sorted((key[1], source.get(key), compiled.get(key))
                   for key in source.keys() | compiled.keys()
                   if source.get(key) != compiled.get(key))
    assert stale == [], "run scripts/translations.py: " + repr(stale[:5])


def test_the_po_file_says_what_the_i18n_fragments_say():
    """The catalogue is generated from i18n/*.vi.po (core.vi.po wins a clash, as in
    scripts/translations.py): a translation edited in a fragment and not regenerated fails."""
    import polib

    fragments = sorted((ROOT / "i18n").glob("*.vi.po"),
                       key=lambda f: (f.name == "core.vi.po", f.name))
    wanted = {}
    for fragment in fragments:
        for entry in polib.pofile(str(fragment)):
            text = entry.msgstr or (entry.msgstr_plural or {}).get(0, "")
            if text:
                wanted[(entry.msgctxt or None, entry.msgid)] = text
    catalogue = polib.pofile(str(ROOT / "wagtail_satisfaction/locale/vi/LC_MESSAGES/django.po"))
    differ = [(entry.msgid, entry.msgstr, wanted.get((entry.msgctxt or None, entry.msgid)))
              for entry in catalogue
              if (entry.msgstr or (entry.msgstr_plural or {}).get(0, ""))
              != wanted.get((entry.msgctxt or None, entry.msgid))]
    assert differ == [], "run scripts/translations.py: " + repr(differ[:5])


def test_every_string_has_a_vietnamese_translation():
    import polib

    catalogue = polib.pofile(str(ROOT / "wagtail_satisfaction/locale/vi/LC_MESSAGES/django.po"))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.percent_translated() == 100


# A Content-Security-Policy without 'unsafe-inline' refuses these: code and styles live in
# static files (static/wagtail_satisfaction/css/, js/), page values go through data- attributes.
INLINE_CODE = re.compile(
    r"<style\b"  # a stylesheet written into the page
    r"|<script\b[^>]*>(?!\s*</script>)"  # a script with a body instead of only a src
    r"|<[a-z][^<>]*\son[a-z]+\s*=",  # an event handler attribute (onclick=, onload=...)
    re.IGNORECASE)


def test_templates_hold_no_inline_script_style_or_event_handler():
    templates = [*(ROOT / "wagtail_satisfaction/templates").rglob("*.html"),
                 *(ROOT / "example_site").rglob("*.html")]
    found = [f"{path.relative_to(ROOT)}: {match.group(0)[:60]!r}"
             for path in sorted(templates)
             for match in INLINE_CODE.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
