"""Every admin screen a role reaches speaks Vietnamese, Wagtail's own screens included.

Each demo account (docs/demo.md) logs in to the demo site and walks the admin as a user
would: from the dashboard, following every admin link it is shown, one page per kind of
screen (URL name), plus every URL of the app it may open (tests/test_admin_url_matrix.py).
Every page that opens (200) has its visible text read — the body without scripts, styles
and hidden templates, plus the labels a screen reader or a tooltip gives (``aria-label``,
``title``, ``placeholder``, button values) — and a line of it that holds a common English
interface word is English left in the admin: Wagtail's Vietnamese catalogue lacks the
string, so ours must ship it (i18n/wagtail.vi.po, see docs/translations in README).

Proper names, codes and the demo's own data are not interface text: the allowlist below
names the few English words that are (product names, file formats).
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation

from tests.test_admin_url_matrix import ALLOWED, app_admin_urls, object_for
from wagtail_satisfaction.models import Comment, Dossier, KioskKey

pytestmark = pytest.mark.django_db

# One account per role (the superuser "admin" is the site's technical administrator, not a
# role: the permission names and Wagtail's set-up screens it alone sees are not covered).
ACCOUNTS = ["bientap", "cntt", "thuky", "quanly", "motcua"]

# Common words of an English user interface. A line of visible text that holds one of them
# (as a whole word, any case) is English. Vietnamese never spells these words.
ENGLISH_WORDS = """
about account actions active add added all and any are back by cancel change changed choose
chosen clear close collapse comments confirm content copy create created current dashboard
date delete deleted display draft edit edited editing either email enter error expand export
field fields filter filters for from has have help history home images inspect is items
last latest live locale log login logout menu more moderation move name new next not of
off or order owner page pages password please preview previous private profile promote
publish published ready remove report reports required reset results revisions save saved
schedule search select settings show sidebar sort status submit the there this title
toggle type unpublish unpublished updated upload user username users view was what when
which who why with workflow yes you your

""".split()
ENGLISH = re.compile(r"\b(" + "|".join(ENGLISH_WORDS) + r")\b", re.IGNORECASE)

# Words that are names or codes, not interface text, and may stay as they are. Each is
# removed from a line before the line is checked.
ALLOWLIST = [
    "Wagtail", "wagtail", "Django", "CSV", "XLSX", "PDF", "JSON", "QR", "ISO", "SIPAS",
    "TTHC", "DVC", "CNTT", "Email", "email", "Excel", "OpenAPI", "API", "URL", "ID",
    "HTML", "Markdown", "SMTP", "Unicode", "UTF-8", "Enter",
    # The column names a dossier-count file must carry, as the importer reads them.
    "unit_code, from, to",
]
ALLOWED_TEXT = re.compile("|".join(re.escape(word) for word in
                                   sorted(ALLOWLIST, key=len, reverse=True)))
# Typed data the demo holds (e-mail addresses, web addresses, file names): not interface.
DATA = re.compile(r"\S+@\S+|https?://\S+|\S+\.(?:csv|xlsx|pdf|png|jpg)\b|/[\w/.-]+/"
                  r"|\b[a-z_]+\.[a-z_]+\b")  # and model labels (home.contentpage)

# Pages never opened by the walk: they leave the admin, change something on a GET, or are
# another user's business (the user's account pages are walked).
SKIP_NAMES = {
    "wagtailadmin_logout", "wagtailadmin_login", "wagtailadmin_password_reset",
    "wagtailadmin_explore_root",  # the page tree's root: the editor's pages are walked
}
SKIP_PARTS = ("/logout", "/delete/", "/unpublish/", "/revert/", "/lock/", "/unlock/",
              "/export/", "/download/", "/preview", "/document/", "/template/", "/print/",
              "/slip/", "/csv", "/xlsx", "/revisions/", "/compare/")


class VisibleText(HTMLParser):
    """The text a user sees or hears: body text and labelling attributes."""

    # Hidden, or not interface text: codes and key names (``<code>``, ``<kbd>``).
    HIDDEN = {"script", "style", "template", "noscript", "svg", "head", "title", "code", "kbd"}
    LABELS = ("aria-label", "title", "placeholder", "alt", "data-w-tooltip-content-value")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.lines = []
        self.links = []
        self.sidebar = False

    def hidden(self):
        return any(tag in self.HIDDEN or hidden for tag, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        is_hidden = "hidden" in attrs or attrs.get("aria-hidden") == "true"
        if tag not in self.VOID:
            self.stack.append((tag, is_hidden))
        self.sidebar = tag == "script" and attrs.get("id") == "wagtail-sidebar-props"
        if self.hidden() or is_hidden:
            return
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in self.LABELS:
            if attrs.get(name):
                self.lines.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.lines.append(attrs["value"])

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "script" and self.sidebar:
            # The sidebar menu is drawn by a script from these props: its labels are shown
            # and its links are the menu's.
            self.sidebar = False
            self.menu(json.loads(data))
        elif not self.hidden() and data.strip():
            self.lines.append(" ".join(data.split()))

    def menu(self, props):
        if isinstance(props, dict):
            for key, value in props.items():
                if key in ("label", "footer_text") and isinstance(value, str) and value:
                    self.lines.append(value)
                elif key == "url" and isinstance(value, str):
                    self.links.append(value)
                else:
                    self.menu(value)
        elif isinstance(props, list):
            for value in props:
                self.menu(value)


def english_lines(html):
    parser = VisibleText()
    parser.feed(html)
    found = []
    for line in parser.lines:
        plain = ALLOWED_TEXT.sub(" ", DATA.sub(" ", line))
        if ENGLISH.search(plain):
            found.append(line)
    return found, parser.links


def url_name(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def admin_paths(links):
    for link in links:
        link, _fragment = urldefrag(link)
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path.startswith("/admin/"):
            continue
        if parts.query and not parts.path.endswith("/admin/"):
            # Filters, sorting and pages of a listing are the same screen; the chooser
            # and the search pass their arguments in the query, and are reached without.
            continue
        if any(part in parts.path for part in SKIP_PARTS):
            continue
        yield parts.path


def walk(client, start_paths):
    """Open every admin screen reachable by link, one URL per URL name."""
    seen_names, opened, queue, english = set(), [], list(start_paths), {}
    while queue:
        path = queue.pop(0)
        name = url_name(path)
        if name is None or name in seen_names or name in SKIP_NAMES:
            continue
        seen_names.add(name)
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="vi", follow=True)
        if response.redirect_chain:  # a screen that sends on to another: that one is read
            path = response.redirect_chain[-1][0]
            if not path.startswith("/admin/") or url_name(path) in SKIP_NAMES:
                continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        opened.append(path)
        lines, links = english_lines(response.content.decode())
        if lines:
            english[path] = lines
        queue.extend(admin_paths(links))
    return opened, english


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "vi"
    call_command("load_initial_data", responses=12, stdout=open("/dev/null", "w"))
    # A comment waiting in the queue, a dossier and a kiosk: the walk opens one of each.
    assert Comment.objects.exists() and Dossier.objects.exists() and KioskKey.objects.exists()


def app_paths(user, role):
    """The app's admin URLs the role may open, with real objects in their arguments."""
    from wagtail_satisfaction.models import Campaign, Response, Reverification

    objects = {
        "response": Response.objects.first(), "comment": Comment.objects.first(),
        "dossier": Dossier.objects.first(), "kioskkey": KioskKey.objects.first(),
        "campaign": Campaign.objects.first(),
        "reverification": Reverification.objects.first(),
        # A paper form the demo's counter clerk typed: the correction screen.
        "typed": Response.objects.filter(staff_entry__isnull=False).first(),
    }
    paths = []
    for name, pattern in app_admin_urls():
        if role not in ALLOWED.get(name, ()) or not name.startswith("wagtail_satisfaction"):
            continue
        kwargs = {}
        for argument in pattern.pattern.regex.groupindex:
            try:
                target = object_for(name, objects, user)
            except KeyError:
                target = None
            if target is None:
                break
            kwargs[argument] = target.pk
        else:
            from django.urls import reverse

            paths.append(reverse(name, kwargs=kwargs))
    return paths


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_admin_screen_a_role_opens_is_in_vietnamese(demo, username):
    from django.contrib.auth import get_user_model

    from wagtail_satisfaction import roles

    user = get_user_model().objects.get(username=username)
    role = "superuser" if user.is_superuser else user.groups.get(
        name__in=roles.ROLE_PERMISSIONS).name
    client = Client()
    client.force_login(user)
    with translation.override("vi"):
        opened, english = walk(client, ["/admin/", *app_paths(user, role)])
    assert len(opened) >= 5, opened  # the walk went past the dashboard
    report = "\n".join(f"{path}: {lines}" for path, lines in sorted(english.items()))
    assert not english, f"English on {len(english)} of {len(opened)} screens:\n{report}"


def test_the_check_finds_english_and_passes_vietnamese():
    html = """<html><head><title>Dashboard</title></head><body>
      <script>var label = "Save";</script><template><p>Delete</p></template>
      <nav aria-label="Main menu"><a href="/admin/pages/">Trang</a></nav>
      <p>There are no hồ sơ to display. Why not add one?</p>
      <p>Trang 1 / 1</p><p>Xuất CSV của SIPAS</p><p>lan@so-khcn.example.gov.vn</p>
      <button title="Lưu bản nháp">Lưu</button><span hidden>Edit</span>
    </body></html>"""
    lines, links = english_lines(html)
    assert lines == ["Main menu", "There are no hồ sơ to display. Why not add one?"]
    assert links == ["/admin/pages/"]


# --- Wagtail's strings in our catalogue ----------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def english_catalogues():
    """{(context, msgid): msgid_plural} of the installed Wagtail and wagtail-modeladmin."""
    import polib
    import wagtail
    import wagtail_modeladmin

    found = {}
    for package in (wagtail, wagtail_modeladmin):
        for path in Path(package.__file__).parent.rglob("locale/en/LC_MESSAGES/django.po"):
            for entry in polib.pofile(str(path)):
                found[(entry.msgctxt, entry.msgid)] = entry.msgid_plural or None
    return found


def test_every_wagtail_string_we_translate_is_one_of_wagtails_exactly():
    """A msgid, context or plural that differs by a character is never looked up: the
    screen stays English. Each entry of i18n/wagtail.vi.po must be Wagtail's own."""
    import polib

    known = english_catalogues()
    fragment = polib.pofile(str(ROOT / "i18n/wagtail.vi.po"))
    assert len(fragment) > 100
    wrong = [(entry.msgctxt, entry.msgid) for entry in fragment
             if known.get((entry.msgctxt, entry.msgid), False) != (entry.msgid_plural or None)]
    assert wrong == []
    # And each is in the catalogue Django reads, translated.
    catalogue = polib.mofile(str(ROOT / "wagtail_satisfaction/locale/vi/LC_MESSAGES/django.mo"))
    compiled = {(entry.msgctxt, entry.msgid) for entry in catalogue
                if entry.msgstr or any(entry.msgstr_plural.values())}
    assert {(entry.msgctxt, entry.msgid) for entry in fragment} <= compiled


@pytest.mark.parametrize("ours", ["first", "last"])
def test_our_translation_of_a_wagtail_string_is_used_whatever_the_app_order(monkeypatch, ours):
    """Django merges every app's catalogue; a msgid Wagtail's Vietnamese lacks is taken
    from ours whether our app comes before or after Wagtail's in INSTALLED_APPS."""
    from django.apps import apps
    from django.utils.translation import trans_real

    configs = [config for config in apps.get_app_configs()
               if config.name != "wagtail_satisfaction"]
    mine = apps.get_app_config("wagtail_satisfaction")
    ordered = [mine, *configs] if ours == "first" else [*configs, mine]
    monkeypatch.setattr(trans_real.apps, "get_app_configs", lambda: ordered)
    catalogue = trans_real.DjangoTranslation("vi")  # built afresh from the apps, in order
    assert catalogue.gettext("Save draft") == "Lưu bản nháp"
    assert catalogue.gettext("Page %(page_num)s of %(total_pages)s") % {
        "page_num": 1, "total_pages": 3} == "Trang 1 / 3"
    assert catalogue.ngettext("1 page", "%(counter)s pages", 4) % {"counter": 4} == "4 trang"
    # Wagtail's own Vietnamese still answers for what it has, and ours for our strings.
    assert catalogue.gettext("Publish") == "Xuất bản"
    assert catalogue.gettext("Search") == "Tìm kiếm"


def test_whats_new_in_wagtail_follows_each_users_language(rf, admin_user):
    """Wagtail formats this help menu entry once per process, in the first admin request's
    language: an English-speaking first visitor must not leave it English for everyone."""
    from wagtail.admin.menu import help_menu
    from wagtail.utils.version import get_main_version

    version = get_main_version(include_patch=False)
    help_menu.__dict__.pop("registered_menu_items", None)  # as in a fresh process
    request = rf.get("/admin/")
    request.user = admin_user

    def label(language):
        with translation.override(language):
            return [item.label for item in help_menu.menu_items_for_request(request)
                    if item.name == f"whats-new-in-wagtail-{version}"]

    assert label("en") == [f"What's new in Wagtail {version}"]  # built in English first
    assert label("vi") == [f"Điểm mới trong Wagtail {version}"]
    assert label("en") == [f"What's new in Wagtail {version}"]
