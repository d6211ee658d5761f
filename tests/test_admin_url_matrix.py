"""Every admin URL the app registers, tried by every role: the table below is the rule.

The URLs are found by walking Django's resolver, so a view added later is tried too, and a
URL with no row in ``ALLOWED`` fails the test until someone decides who may open it. Each
URL is requested with GET and with a POST that carries a valid CSRF token, as anonymous, as
a user of each demo role and as a superuser; URL arguments are filled with real objects.

A refusal is the login page (anonymous), Wagtail's "no permission" redirect to the
dashboard, a 403, or a 404 (an object the user may not know of). A role in the URL's row is
never refused; a role not in it is always refused, or answered 405 when the URL takes no
such method (nothing is done either way). Every request is rolled back afterwards, so a
POST that deletes or changes something leaves the next request the same objects.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.api_factories import make_api_client
from tests.channels_factories import make_dossier, make_kiosk_key
from tests.factories import (
    full_answers,
    make_campaign,
    make_officer,
    make_procedure,
    make_unit,
    make_user,
)
from tests.moderation_factories import make_comment
from wagtail_satisfaction import roles
from wagtail_satisfaction.models import (
    Banner,
    DossierCount,
    ExportJob,
    Reverification,
    Sector,
    UnitScope,
)
from wagtail_satisfaction.services import submit_response

pytestmark = pytest.mark.django_db

EDITOR, IT, ISO, MANAGER, ONE_STOP = (roles.EDITOR, roles.IT_MODERATOR, roles.ISO_SECRETARY,
                                      roles.CAMPAIGN_MANAGER, roles.ONE_STOP)
SUPERUSER = "superuser"
NOBODY = frozenset()
ONLY_SUPERUSER = frozenset({SUPERUSER})


def who(*names):
    return frozenset({SUPERUSER, *names})


# --- The rule: URL name -> the roles that may open it ---------------------------------------

ALLOWED = {
    # Responses: a read-only listing for those who read results; nobody adds, edits or
    # deletes a response through the admin, not even a superuser.
    "wagtail_satisfaction_response_modeladmin_index": who(ISO),
    "wagtail_satisfaction_response_modeladmin_inspect": who(ISO),
    "wagtail_satisfaction_response_modeladmin_history": who(ISO),
    "wagtail_satisfaction_response_modeladmin_create": NOBODY,
    "wagtail_satisfaction_response_modeladmin_edit": NOBODY,
    "wagtail_satisfaction_response_modeladmin_delete": NOBODY,
    # Website comments: the IT team's moderation queue.
    "wagtail_satisfaction_comment_modeladmin_index": who(IT),
    "wagtail_satisfaction_comment_modeladmin_inspect": who(IT),
    "wagtail_satisfaction_comment_modeladmin_history": who(IT),
    "wagtail_satisfaction_comment_modeladmin_moderate": who(IT),
    "wagtail_satisfaction_comment_modeladmin_create": NOBODY,
    "wagtail_satisfaction_comment_modeladmin_edit": NOBODY,
    "wagtail_satisfaction_comment_modeladmin_delete": NOBODY,
    # Results: the report, its exports and the combining of sub-units' results.
    "wagtail_satisfaction_reports:report": who(ISO),
    "wagtail_satisfaction_reports:export": who(ISO),
    "wagtail_satisfaction_reports:document": who(ISO),
    "wagtail_satisfaction_reports:export_job": who(ISO),
    "wagtail_satisfaction_reports:export_job_download": who(ISO),
    "wagtail_satisfaction_reports:import": who(ISO),
    # The ISO secretary enters and imports the dossier counts the 766 ratio needs.
    "wagtail_satisfaction_reports:import_dossiers": who(ISO),
    # Questionnaire versions are the campaign manager's.
    "wagtail_satisfaction_admin:questionnaire_new_version": who(MANAGER),
    # The integrity of the results: the last check and starting one (issue 11).
    "wagtail_satisfaction_integrity:index": who(ISO),
    # The counter's screens: dossiers, kiosk keys, invitations, paper forms.
    **{f"wagtail_satisfaction_dossiers:{view}": who(ONE_STOP) for view in (
        "index", "index_results", "add", "edit", "copy", "history", "history_results",
        "inspect", "usage", "import", "slip")},
    "wagtail_satisfaction_dossiers:delete": ONLY_SUPERUSER,
    **{f"wagtail_satisfaction_kiosks:{view}": who(ONE_STOP) for view in (
        "index", "index_results", "add", "edit", "copy", "history", "history_results",
        "usage")},
    "wagtail_satisfaction_kiosks:delete": ONLY_SUPERUSER,
    **{f"wagtail_satisfaction_invitations:{view}": who(ONE_STOP) for view in (
        "index", "index_results", "campaign")},
    **{f"wagtail_satisfaction_paper:{view}": who(ONE_STOP) for view in (
        "index", "index_results", "entry", "import", "print", "template")},
    # Correcting a typed form: the reviewer's (ISO secretary) in their units; the counter
    # staff correct only the forms they typed themselves (this one was typed by someone
    # else; tests/test_channels_paper_correction.py covers the typist's own).
    "wagtail_satisfaction_paper:correct": who(ISO),
    # Re-verification calls show contact details: the ISO secretary's, never the counter's.
    **{f"wagtail_satisfaction_reverification:{view}": who(ISO) for view in (
        "index", "index_results", "draw", "edit", "history", "history_results", "usage")},
    # The dossier API's clients: the IT team creates tokens, revokes them, reads the calls
    # (issue 16). Deleting one (and its audit trail's link) is a superuser's.
    **{f"wagtail_satisfaction_api_clients:{view}": who(IT) for view in (
        "index", "index_results", "add", "edit", "history", "history_results", "usage",
        "revoke", "calls")},
    "wagtail_satisfaction_api_clients:delete": ONLY_SUPERUSER,
    # Calls are drawn, not typed in: there is no add or copy form.
    "wagtail_satisfaction_reverification:delete": ONLY_SUPERUSER,
}

# The survey's set-up, as snippets: who lists, edits and chooses each model. ``list`` is
# the listing; ``edit`` the add, edit and copy forms and an object's history and usage;
# ``delete`` is a superuser's; ``choose`` the chooser modal and its parts.
SNIPPETS = {
    "campaign": {"list": who(EDITOR, ISO, MANAGER), "edit": who(MANAGER),
                 "choose": who(EDITOR, MANAGER, ONE_STOP)},
    "questionnaire": {"list": who(MANAGER), "edit": who(MANAGER), "choose": who(MANAGER)},
    "banner": {"list": who(EDITOR, MANAGER), "edit": who(EDITOR, MANAGER),
               "choose": who(EDITOR)},
    "unit": {"list": who(MANAGER), "edit": who(MANAGER),
             "choose": who(MANAGER, ONE_STOP, ISO)},  # ISO: a dossier count's unit
    "sector": {"list": who(MANAGER), "edit": who(MANAGER), "choose": who(MANAGER)},
    "procedure": {"list": who(MANAGER), "edit": who(MANAGER), "choose": who(ONE_STOP)},
    "officer": {"list": who(MANAGER), "edit": who(MANAGER), "choose": who(ONE_STOP)},
    "dossiercount": {"list": who(ISO), "edit": who(ISO), "choose": ONLY_SUPERUSER},
    # Who works for which units is a superuser's to say (docs/scopes.md).
    "unitscope": {"list": ONLY_SUPERUSER, "edit": ONLY_SUPERUSER, "choose": ONLY_SUPERUSER},
}
SNIPPET_VIEWS = {
    "list": ("list", "list_results"),
    "edit": ("add", "edit", "copy", "history", "history_results", "usage"),
    "delete": ("delete",),
}
for model, rule in SNIPPETS.items():
    for kind, views in SNIPPET_VIEWS.items():
        for view in views:
            ALLOWED[f"wagtailsnippets_wagtail_satisfaction_{model}:{view}"] = rule.get(
                kind, ONLY_SUPERUSER)
    for view in ("choose", "choose_results", "chosen", "chosen_multiple"):
        ALLOWED[f"wagtailsnippetchoosers_wagtail_satisfaction_{model}:{view}"] = rule["choose"]
    # Objects are created on their own forms; the choosers have no creation form.
    ALLOWED[f"wagtailsnippetchoosers_wagtail_satisfaction_{model}:create"] = NOBODY
# Banners are previewed while they are edited.
ALLOWED["wagtailsnippets_wagtail_satisfaction_banner:preview_on_add"] = SNIPPETS["banner"]["edit"]
ALLOWED["wagtailsnippets_wagtail_satisfaction_banner:preview_on_edit"] = SNIPPETS["banner"]["edit"]

ROLES = [EDITOR, IT, ISO, MANAGER, ONE_STOP, SUPERUSER]


# --- Finding the app's admin URLs -----------------------------------------------------------


def walk(resolver, prefix="", namespaces=()):
    """Yield ``(name, route, pattern)`` for every URL pattern, through every include."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespaces, pattern.name)), prefix + str(pattern.pattern), pattern


def is_app_admin_url(name, route):
    app = "wagtail_satisfaction"
    return route.lstrip("^").startswith("admin/") and (
        name.startswith(app) or name.startswith(f"wagtailsnippets_{app}_")
        or name.startswith(f"wagtailsnippetchoosers_{app}_"))


def app_admin_urls():
    return sorted((name, pattern) for name, route, pattern in walk(get_resolver())
                  if is_app_admin_url(name, route))


# --- Real objects for the URLs' arguments -------------------------------------------------


@pytest.fixture
def objects(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    roles.ensure_role_groups()
    unit = make_unit("Sở Tư pháp", kind="department")
    campaign = make_campaign(unit=unit)
    procedure = make_procedure(unit)
    officer = make_officer(unit)
    response = submit_response(campaign, answers=full_answers(campaign), comment="Tốt",
                               procedure=procedure, officer=officer)
    dossier = make_dossier(unit, procedure=procedure, officer=officer,
                           applicant_name="Lê Văn Dân", phone="0901234567")
    today = datetime.date.today()
    # Every role works for the unit that holds every object: each role is also tried as a
    # unit-scoped user (docs/scopes.md), and the scope is the unit-scope snippet's object.
    scopes = [UnitScope.objects.create(group=group, unit=unit)
              for group in Group.objects.filter(name__in=roles.ROLE_PERMISSIONS)]
    return {
        "unitscope": scopes[0],
        "owner": make_user("chu-so-huu"),
        "jobs": {},
        "response": response,
        "typed": typed_form(campaign, procedure, officer),
        "comment": make_comment(campaign, "Hồ sơ giải quyết chậm"),
        "campaign": campaign,
        "questionnaire": campaign.questionnaire,
        "unit": unit,
        "sector": Sector.objects.get_or_create(name="Hộ tịch")[0],
        "procedure": procedure,
        "officer": officer,
        "banner": Banner.objects.create(title="Mời đánh giá", campaign=campaign),
        "dossiercount": DossierCount.objects.create(unit=unit, starts_on=today,
                                                    ends_on=today, dossiers=10),
        "dossier": dossier,
        "kioskkey": make_kiosk_key(campaign),
        "reverification": Reverification.objects.create(response=response,
                                                         campaign=campaign),
        "apiclient": make_api_client(unit),
    }


def typed_form(campaign, procedure, officer):
    """A paper form typed in by a counter clerk who is none of the users tried."""
    from wagtail_satisfaction.channels.paper import StaffEntryForm, enter_response

    data = {"form_number": "P-1", "channel": "paper", "procedure": procedure.pk,
            "officer": officer.pk}
    for question, value in full_answers(campaign).items():
        data[f"q_{question.pk}"] = str(value)
    form = StaffEntryForm(data, campaign=campaign)
    assert form.is_valid(), form.errors
    return enter_response(form, make_user("nhap-phieu", ONE_STOP))


# The object behind each URL's argument, by the start of the URL's name.
OBJECT_OF_URL = [
    ("wagtail_satisfaction_response_", "response"),
    ("wagtail_satisfaction_comment_", "comment"),
    ("wagtail_satisfaction_dossiers:", "dossier"),
    ("wagtail_satisfaction_kiosks:", "kioskkey"),
    ("wagtail_satisfaction_reverification:", "reverification"),
    ("wagtail_satisfaction_api_clients:", "apiclient"),
    ("wagtail_satisfaction_invitations:", "campaign"),
    ("wagtail_satisfaction_paper:correct", "typed"),
    ("wagtail_satisfaction_paper:", "campaign"),
    ("wagtail_satisfaction_admin:questionnaire", "questionnaire"),
    ("wagtail_satisfaction_reports:export_job", "exportjob"),
]


def object_for(name, objects, user):
    if name.startswith("wagtail_satisfaction_reports:export_job"):
        # An export job is its owner's; each user asks for their own (a finished one).
        owner = user or objects["owner"]
        if owner.pk not in objects["jobs"]:
            job = ExportJob.objects.create(user=owner, format="csv",
                                           status=ExportJob.Status.DONE)
            job.file.save("ket-qua.csv", ContentFile(b"id\n1\n"))
            objects["jobs"][owner.pk] = job
        return objects["jobs"][owner.pk]
    for start, key in OBJECT_OF_URL:
        if name.startswith(start):
            return objects[key]
    model = name.split(":")[0].rsplit("_", 1)[-1]  # wagtailsnippets_<app>_<model>
    return objects[model]


def url_of(name, pattern, objects, user):
    kwargs = {}
    for argument in pattern.pattern.regex.groupindex:
        kwargs[argument] = object_for(name, objects, user).pk
    return reverse(name, kwargs=kwargs)


# --- Outcomes -----------------------------------------------------------------------------

OPENS, REFUSED, NO_SUCH_METHOD = "opens", "refused", "405"


def outcome(response, url):
    status = response.status_code
    if status in (403, 404):
        return REFUSED
    if status == 405:
        return NO_SUCH_METHOD
    if status == 302 and (response["Location"] == "/admin/"
                          or response["Location"].startswith("/admin/login/")):
        return REFUSED
    assert status < 500, (url, status)
    return OPENS


def client_for(role, objects):
    client = Client(enforce_csrf_checks=True)
    user = None
    if role == SUPERUSER:
        user = make_user("quan-tri", is_superuser=True, is_staff=True)
    elif role is not None:
        user = make_user(f"user-{abs(hash(role))}", role)
    if user:
        client.force_login(user)
    # A real token, as a browser has it: from the cookie a page of the admin sets.
    client.get("/admin/login/" if user is None else "/admin/")
    return client, user


def request(client, method, url, token):
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, {"csrfmiddlewaretoken": token})
        transaction.set_rollback(True)  # nothing a POST changed stays for the next one
    return response


# --- The tests ----------------------------------------------------------------------------


def urls_without_rule():
    return sorted({name for name, _pattern in app_admin_urls()} - set(ALLOWED))


def test_every_admin_url_of_the_app_has_a_rule():
    names = {name for name, _pattern in app_admin_urls()}
    assert len(names) > 150  # the walk reached the snippets, choosers and channel screens
    missing = urls_without_rule()
    assert not missing, f"add a rule for it in ALLOWED: {missing}"
    # And no rule outlives its URL.
    assert not sorted(set(ALLOWED) - names)


@pytest.mark.urls("tests.matrix_urls")
def test_a_new_admin_url_without_a_rule_is_reported():
    assert urls_without_rule() == ["wagtail_satisfaction_admin_new:new_screen"]


def test_anonymous_visitors_are_sent_to_the_login_page(objects):
    client, user = client_for(None, objects)
    token = client.cookies["csrftoken"].value
    for name, pattern in app_admin_urls():
        url = url_of(name, pattern, objects, None)
        for method in ("GET", "POST"):
            response = request(client, method, url, token)
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith("/admin/login/"), (method, url)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_urls_of_its_row(objects, role):
    client, user = client_for(role, objects)
    token = client.cookies["csrftoken"].value
    wrong = []
    for name, pattern in app_admin_urls():
        url = url_of(name, pattern, objects, user)
        allowed = role in ALLOWED.get(name, NOBODY)
        for method in ("GET", "POST"):
            seen = outcome(request(client, method, url, token), url)
            if (allowed and seen == REFUSED) or (not allowed and seen == OPENS):
                wrong.append(f"{method} {name} ({url}): {seen}")
    assert not wrong, "\n" + "\n".join(wrong)


def test_a_campaign_with_responses_is_not_deleted_and_the_superuser_is_told_why(objects):
    client, _user = client_for(SUPERUSER, objects)
    campaign = objects["campaign"]
    url = reverse("wagtailsnippets_wagtail_satisfaction_campaign:delete", args=[campaign.pk])
    page = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                       follow=True)
    assert page.status_code == 200
    assert "Không thể xoá" in page.content.decode()
    assert type(campaign).objects.filter(pk=campaign.pk).exists()
