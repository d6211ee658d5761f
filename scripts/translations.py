"""Refresh the Vietnamese catalogue: extract strings, fill them from i18n/*.vi.po, compile.

Usage: python scripts/translations.py   (needs GNU gettext and polib; a developer tool)

``i18n/*.vi.po`` hold the translations, one file per area of the app, so that parallel work
does not collide in one big catalogue; ``locale/vi/LC_MESSAGES/django.po`` is generated.

``makemessages`` finds only the strings of our own code. The strings of other packages that
our users meet (Wagtail's and wagtail-modeladmin's, which their Vietnamese catalogues lack)
are kept in the *external* fragments (``i18n/wagtail.vi.po``) and copied into the generated
catalogue as they are, context and plural included: Django merges the catalogues of every
installed app, so a msgid that Wagtail's catalogue lacks is taken from ours.
"""

import re
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "wagtail_satisfaction"
CATALOGUE = APP / "locale/vi/LC_MESSAGES/django.po"
EXTERNAL = ("wagtail.vi.po",)
# The strings Wagtail's admin scripts draw: our "djangojs" catalogue is these fragments only
# (our own scripts translate nothing in the browser), served after Wagtail's by our hook.
JS_CATALOGUE = APP / "locale/vi/LC_MESSAGES/djangojs.po"
JS_FRAGMENTS = ROOT / "i18n/js"
FORMAT = re.compile(r"%\(\w+\)[sdfir]|%[sdfir]|%%")


def main():
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "vi",
                    "--no-obsolete", "--no-location"], cwd=APP, check=True)
    known = {}
    # core.vi.po last: where two areas translate the same string differently, the core's
    # wording (menus, model names) wins and the clash is reported.
    fragments = sorted((ROOT / "i18n").glob("*.vi.po"),
                       key=lambda f: (f.name == "core.vi.po", f.name))
    for fragment in fragments:
        for entry in polib.pofile(str(fragment)):
            text = entry.msgstr or (entry.msgstr_plural or {}).get(0, "")
            if text:
                key = (entry.msgctxt, entry.msgid)
                if known.get(key, text) != text:
                    print(f"{fragment.name} changes {entry.msgid!r}: {known[key]!r} -> {text!r}")
                known[key] = text
    catalogue = polib.pofile(str(CATALOGUE))
    catalogue.metadata.update({"Language": "vi", "Content-Type": "text/plain; charset=UTF-8",
                               "Plural-Forms": "nplurals=1; plural=0;"})
    have = {(entry.msgctxt, entry.msgid) for entry in catalogue}
    for name in EXTERNAL:
        for entry in polib.pofile(str(ROOT / "i18n" / name)):
            if (entry.msgctxt, entry.msgid) not in have:
                catalogue.append(polib.POEntry(
                    msgctxt=entry.msgctxt, msgid=entry.msgid, msgid_plural=entry.msgid_plural,
                    msgstr="" if entry.msgid_plural else entry.msgstr,
                    msgstr_plural={0: entry.msgstr_plural.get(0, "")} if entry.msgid_plural
                    else {}, flags=list(entry.flags), comment=entry.comment))
                have.add((entry.msgctxt, entry.msgid))
    missing = []
    for entry in catalogue:
        # xgettext reads "% satisfied" as a "% s" conversion; a string without a real
        # placeholder is not a format string.
        if "python-format" in entry.flags and not FORMAT.search(entry.msgid):
            entry.flags.remove("python-format")
        text = known.get((entry.msgctxt, entry.msgid))
        if text:
            entry.msgstr = text
            if entry.msgid_plural:
                entry.msgstr_plural = {0: text}
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        else:
            if "fuzzy" in entry.flags:  # msgmerge's guess from a similar string: not ours
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
            if not entry.msgstr:
                missing.append(entry.msgid)
    catalogue.save()
    write_js_catalogue()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "compilemessages", "-l", "vi"],
                   cwd=APP, check=True)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(catalogue) - len(missing)} translated, {len(missing)} missing")
    return 1 if missing else 0


def write_js_catalogue():
    """``djangojs.po`` from ``i18n/js/*.vi.po``, entries as they are, sorted by msgid."""
    catalogue = polib.POFile()
    catalogue.metadata = {"Language": "vi", "Content-Type": "text/plain; charset=UTF-8",
                          "Plural-Forms": "nplurals=1; plural=0;"}
    entries = {}
    for fragment in sorted(JS_FRAGMENTS.glob("*.vi.po")):
        for entry in polib.pofile(str(fragment)):
            entries[(entry.msgctxt or "", entry.msgid)] = entry
    for _key, entry in sorted(entries.items()):
        catalogue.append(entry)
    catalogue.save(str(JS_CATALOGUE))


if __name__ == "__main__":
    sys.exit(main())
