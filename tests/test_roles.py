"""Each role group opens what its job needs in the admin, and nothing else."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import GroupPagePermission, Site

from tests.channels_factories import make_dossier
from tests.factories import full_answers, make_campaign, make_user
from wagtail_satisfaction import roles
from wagtail_satisfaction.services import submit_response

pytestmark = pytest.mark.django_db

OPENS, DENIED = "opens", "denied"


@pytest.fixture
def urls(db):
    roles.ensure_role_groups()
    campaign = make_campaign()
    response = submit_response(campaign, answers=full_answers(campaign), comment="Tốt")
    home = Site.objects.get(is_default_site=True).root_page
    dossier = make_dossier(campaign.unit, applicant_name="Lê Văn Dân", phone="0901234567")
    return {
        "responses": "/admin/wagtail_satisfaction/response/",
        "response": f"/admin/wagtail_satisfaction/response/inspect/{response.pk}/",
        "comments": "/admin/wagtail_satisfaction/comment/",
        "edit campaign": f"/admin/snippets/wagtail_satisfaction/campaign/edit/{campaign.pk}/",
        "add campaign": "/admin/snippets/wagtail_satisfaction/campaign/add/",
        "choose campaign": "/admin/snippets/choose/wagtail_satisfaction/campaign/",
        "add unit": "/admin/snippets/wagtail_satisfaction/unit/add/",
        "add procedure": "/admin/snippets/wagtail_satisfaction/procedure/add/",
        "add banner": "/admin/snippets/wagtail_satisfaction/banner/add/",
        "edit home page": f"/admin/pages/{home.pk}/edit/",
        "add page": f"/admin/pages/add/home/contentpage/{home.pk}/",
        "site banner setting": "/admin/settings/wagtail_satisfaction/satisfactionsettings/"
                               f"{Site.objects.get(is_default_site=True).pk}/",
        "dossiers": "/admin/satisfaction/dossiers/",
        "add dossier": "/admin/satisfaction/dossiers/new/",
        "import dossiers": "/admin/satisfaction/dossiers/import/",
        "import dossier counts": "/admin/satisfaction-report/dossiers/import/",
        "dossier counts": "/admin/snippets/wagtail_satisfaction/dossiercount/",
        "add dossier count": "/admin/snippets/wagtail_satisfaction/dossiercount/add/",
        "dossier slip": f"/admin/satisfaction/dossiers/slip/{dossier.pk}/",
        "kiosk keys": "/admin/satisfaction/kiosks/",
        "add kiosk key": "/admin/satisfaction/kiosks/new/",
        "invitations": f"/admin/satisfaction/invitations/{campaign.pk}/",
        "paper forms": "/admin/satisfaction/paper/",
        "paper entry": f"/admin/satisfaction/paper/{campaign.pk}/entry/",
        "re-verification": "/admin/satisfaction/reverification/",
        "draw sample": "/admin/satisfaction/reverification/draw/",
    }


def outcome(client, url):
    response = client.get(url)
    if response.status_code == 200:
        return OPENS
    # Wagtail answers "permission denied" with a redirect to the dashboard, or a 403.
    assert response.status_code in (302, 403), (url, response.status_code)
    assert response.status_code == 403 or response["Location"] in ("/admin/",
                                                                   "/admin/login/?next=" + url)
    return DENIED


EXPECTED = {
    roles.EDITOR: {
        "responses": DENIED, "response": DENIED, "comments": DENIED,
        "edit campaign": DENIED, "add campaign": DENIED, "choose campaign": OPENS,
        "add unit": DENIED, "add banner": OPENS, "edit home page": OPENS, "add page": OPENS,
        "site banner setting": OPENS, "dossiers": DENIED, "paper entry": DENIED,
    },
    roles.IT_MODERATOR: {
        "responses": DENIED, "response": DENIED, "comments": OPENS,
        "edit campaign": DENIED, "add banner": DENIED, "edit home page": DENIED,
        "site banner setting": DENIED, "dossiers": DENIED, "paper entry": DENIED,
        "kiosk keys": DENIED, "import dossier counts": DENIED,
    },
    roles.ISO_SECRETARY: {
        "responses": OPENS, "response": OPENS, "comments": DENIED,
        "edit campaign": DENIED, "add banner": DENIED, "edit home page": DENIED,
        "re-verification": OPENS, "draw sample": OPENS, "dossiers": DENIED,
        "paper entry": DENIED, "import dossier counts": OPENS, "dossier counts": OPENS,
        "add dossier count": OPENS,
    },
    roles.CAMPAIGN_MANAGER: {
        "responses": DENIED, "comments": DENIED, "edit campaign": OPENS,
        "add campaign": OPENS, "add unit": OPENS, "add procedure": OPENS, "add banner": OPENS,
        "edit home page": DENIED, "dossiers": DENIED, "re-verification": DENIED,
    },
    roles.ONE_STOP: {
        "dossiers": OPENS, "add dossier": OPENS, "import dossiers": OPENS,
        "dossier slip": OPENS, "kiosk keys": OPENS, "add kiosk key": OPENS,
        "invitations": OPENS, "paper forms": OPENS, "paper entry": OPENS,
        "responses": DENIED, "response": DENIED, "comments": DENIED,
        "re-verification": DENIED, "draw sample": DENIED, "edit campaign": DENIED,
        "add banner": DENIED, "edit home page": DENIED, "site banner setting": DENIED,
    },
}


@pytest.mark.parametrize("group", list(EXPECTED))
def test_each_role_opens_only_what_its_job_needs(client, urls, group):
    client.force_login(make_user("someone", group))
    assert client.get("/admin/").status_code == 200
    seen = {name: outcome(client, urls[name]) for name in EXPECTED[group]}
    assert seen == EXPECTED[group]


def test_a_user_without_a_role_cannot_enter_the_admin(client, urls):
    client.force_login(make_user("visitor"))
    assert outcome(client, "/admin/") == DENIED
    assert outcome(client, urls["responses"]) == DENIED


def test_the_responses_listing_needs_view_response_and_nothing_else(client, urls):
    from django.contrib.auth.models import Permission

    user = make_user("auditor", roles.IT_MODERATOR)
    client.force_login(user)
    assert outcome(client, urls["responses"]) == DENIED
    user.user_permissions.add(Permission.objects.get(codename="view_response"))
    user = type(user).objects.get(pk=user.pk)  # drop the permission cache
    client.force_login(user)
    assert outcome(client, urls["responses"]) == OPENS


def test_editor_page_permissions_are_on_the_site_root():
    groups = roles.ensure_role_groups()
    root = Site.objects.get(is_default_site=True).root_page
    codenames = set(GroupPagePermission.objects.filter(
        group=groups[roles.EDITOR], page=root).values_list("permission__codename", flat=True))
    assert codenames == {"add_page", "change_page", "publish_page"}
    assert not GroupPagePermission.objects.filter(group=groups[roles.IT_MODERATOR]).exists()


def test_rerunning_restores_drifted_permissions_without_duplicates():
    from django.contrib.auth.models import Permission

    groups = roles.ensure_role_groups()
    secretary = groups[roles.ISO_SECRETARY]
    secretary.permissions.remove(Permission.objects.get(codename="export_response"))
    secretary.permissions.add(Permission.objects.get(codename="delete_campaign"))
    call_command("satisfaction_roles", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("satisfaction_roles", stdout=open("/dev/null", "w"))  # noqa: SIM115

    codenames = set(secretary.permissions.values_list("codename", flat=True))
    assert "export_response" in codenames and "delete_campaign" not in codenames
    assert Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).count() == 5
    assert GroupPagePermission.objects.filter(group=groups[roles.EDITOR]).count() == 3


@pytest.mark.parametrize("group", [roles.EDITOR, roles.IT_MODERATOR])
def test_the_counter_screens_refuse_the_editor_and_the_it_moderator(client, urls, group):
    client.force_login(make_user("someone", group))
    # Wagtail's admin refuses by sending the user back to the dashboard with a message;
    # neither the dossiers nor the entry form are shown.
    for name in ("dossiers", "paper entry"):
        refused = client.get(urls[name], follow=True)
        assert refused.redirect_chain == [("/admin/", 302)], name
        page = refused.content.decode()
        assert "Sorry, you do not have permission" in page or "không có quyền" in page
        assert "Lê Văn Dân" not in page and 'name="form_number"' not in page


def test_one_stop_staff_work_the_counter_but_never_read_the_results(client, urls):
    client.force_login(make_user("motcua", roles.ONE_STOP))
    dossiers = client.get(urls["dossiers"]).content.decode()
    assert "Lê Văn Dân" in dossiers
    entry = client.get(urls["paper entry"]).content.decode()
    assert 'name="form_number"' in entry
    # The moderation queue answers a plain 403; the responses listing refuses too.
    assert client.get(urls["comments"]).status_code == 403
    assert outcome(client, urls["responses"]) == DENIED
    assert outcome(client, urls["re-verification"]) == DENIED
    menu = client.get("/admin/").content.decode()
    assert "/admin/satisfaction/dossiers/" in menu
    assert "/admin/wagtail_satisfaction/response/" not in menu
    assert "/admin/satisfaction/reverification/" not in menu
