"""The demo data the README promises: built by one command, again and again, identically."""

import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.test import RequestFactory
from wagtail.models import ModelLogEntry, Page, Site

from example_site.home.models import HomePage
from wagtail_satisfaction import roles
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.models import (
    Answer,
    Campaign,
    Channel,
    Comment,
    Dossier,
    KioskKey,
    Officer,
    Procedure,
    Response,
    SatisfactionSettings,
    StaffEntry,
    SurveyPage,
    Unit,
)

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "admin": ("admin123", None),
    "bientap": ("demo12345", roles.EDITOR),
    "cntt": ("demo12345", roles.IT_MODERATOR),
    "thuky": ("demo12345", roles.ISO_SECRETARY),
    "quanly": ("demo12345", roles.CAMPAIGN_MANAGER),
    "motcua": ("demo12345", roles.ONE_STOP),
}


def load(**options):
    out = io.StringIO()
    call_command("load_initial_data", stdout=out, **options)
    return out.getvalue()


def figures():
    """What a report would show: answers per question and value, who answered how."""
    return (
        set(Answer.objects.values_list("question__code", "value")
            .annotate(n=Count("id")).order_by()),
        set(Response.objects.values_list("channel", "dossier_code", "email").order_by()),
        Comment.objects.count(),
    )


def test_builds_a_believable_agency():
    output = load()
    assert "admin / admin123" in output

    department = Unit.objects.get(code="so-khcn")
    assert department.name == "Sở Khoa học và Công nghệ tỉnh Lâm Đồng"
    offices = Unit.objects.within(department).exclude(pk=department.pk)
    names = set(offices.values_list("name", flat=True))
    assert {"Văn phòng Sở", "Phòng Quản lý chuyên ngành"} <= names
    assert set(Unit.objects.values_list("kind", flat=True)) >= {
        "province", "department", "office", "centre", "commune"}
    assert Procedure.objects.count() >= 15
    assert Procedure.objects.values("sector").distinct().count() >= 5
    assert all(re.fullmatch(r"[12]\.\d{6}\.000\.00\.00\.H36", code)
               for code in Procedure.objects.values_list("code", flat=True))
    assert Officer.objects.exclude(title="").count() >= 8

    sipas = Campaign.objects.get(slug="hai-long-2026")
    assert sipas.is_open() and sipas.questionnaire.kind == "sipas"
    assert [r.name for r in sipas.rounds.order_by("sort_order")] == ["Đợt 1", "Đợt 2"]
    assert (sipas.target_responses, sipas.target_dossier_share) == (200, 30)
    assert Campaign.objects.filter(questionnaire__kind="tthc").exists()


def test_home_page_shows_the_site_banner_leading_to_the_survey_page(client):
    load(responses=0)
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    # Wagtail's "Welcome to your new Wagtail site!" page is gone.
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()
    survey_page = SurveyPage.objects.child_of(home).live().get()
    banner = SatisfactionSettings.for_site(site).site_banner
    assert banner.target_page_id == survey_page.pk and banner.is_live()

    page = client.get("/").content.decode()
    assert banner.title in page and f'href="{survey_page.url}"' in page
    survey = client.get(survey_page.url)
    assert survey.status_code == 200
    assert b'name="q_' in survey.content
    assert b"satisfaction-banner" not in survey.content  # no banner leading to itself


def test_synthetic_responses_span_months_channels_and_kinds_of_answer():
    load()
    assert Response.objects.count() >= 300
    months = Response.objects.annotate(month=TruncMonth("submitted_at")).values("month")
    assert months.distinct().count() >= 4
    assert Response.objects.values("channel").distinct().count() >= 5
    assert Answer.objects.filter(value__isnull=True).exists()  # "not applicable"
    satisfied = Answer.objects.filter(question__scale="satisfaction5", value__gte=4).count()
    rated = Answer.objects.filter(question__scale="satisfaction5", value__isnull=False).count()
    assert 0.6 < satisfied / rated < 0.95
    texts = list(Comment.objects.values_list("text", flat=True))
    assert any(text.isascii() for text in texts)  # typed without diacritics
    assert any("ướ" in text or "ệ" in text for text in texts)


def test_accounts_log_in_with_the_documented_passwords():
    load(responses=0)
    for username, (password, group) in ACCOUNTS.items():
        # As the sign-in form does: with the request (django-axes checks the address).
        user = authenticate(RequestFactory().post("/admin/login/"), username=username,
                            password=password)
        assert user is not None, username
        if group is None:
            assert user.is_superuser
        else:
            assert [g.name for g in user.groups.all()] == [group]
            assert not user.is_superuser


def channel_data():
    return (set(Dossier.objects.values_list("code", "secret_code", "returned_on", "email")),
            set(KioskKey.objects.values_list("key", "active")),
            set(StaffEntry.objects.values_list("form_number", "batch", "response__channel")))


def test_running_again_changes_nothing_and_the_data_is_reproducible():
    load(responses=60)
    first = figures()
    channels = channel_data()
    counts = (Unit.objects.count(), Procedure.objects.count(), Officer.objects.count(),
              Campaign.objects.count(), Page.objects.count(), Response.objects.count())
    load(responses=60)
    assert figures() == first
    assert channel_data() == channels
    assert (Unit.objects.count(), Procedure.objects.count(), Officer.objects.count(),
            Campaign.objects.count(), Page.objects.count(), Response.objects.count()) == counts

    Response.objects.all().delete()
    load(responses=60)
    assert figures() == first


def test_unknown_address_shows_the_sites_own_not_found_page(client, settings):
    settings.DEBUG = False
    load(responses=0)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_channels_have_dossiers_a_kiosk_and_typed_paper_forms(client):
    output = load(responses=30)
    today = dossiers.local_today()
    assert 50 <= Dossier.objects.count() <= 70
    assert Dossier.objects.values("unit").distinct().count() >= 4
    assert Dossier.objects.values("procedure").distinct().count() >= 10
    assert Dossier.objects.values("officer").distinct().count() >= 6
    returned = Dossier.objects.filter(returned_on__isnull=False)
    pending = Dossier.objects.filter(returned_on__isnull=True, due_on__gte=today)
    overdue = Dossier.objects.filter(returned_on__isnull=True, due_on__lt=today)
    assert returned.count() >= 30 and pending.exists() and overdue.exists()
    assert Dossier.objects.exclude(email="").count() >= 15
    assert Dossier.objects.filter(opted_out=True).exists()

    # A few were rated through their slip's link, each in its unit's campaign.
    rated = Response.objects.filter(channel=Channel.DOSSIER_LINK,
                                    dossier_code__in=Dossier.objects.values("code"))
    assert 3 <= rated.count() <= 15
    for response in rated.select_related("campaign"):
        dossier = Dossier.objects.get(code=response.dossier_code)
        assert response.campaign == dossiers.campaign_for(dossier)
        assert (response.procedure_id, response.officer_id) == (dossier.procedure_id,
                                                                dossier.officer_id)
    assert not rated.filter(dossier_code__in=pending.values("code")).exists()

    # The kiosk address is printed and opens the SIPAS campaign's kiosk.
    kiosk = KioskKey.objects.get()
    assert kiosk.active and kiosk.campaign.slug == "hai-long-2026"
    assert kiosk.get_absolute_url() in output
    page = client.get(kiosk.get_absolute_url())
    assert page.status_code == 200 and kiosk.campaign.title in page.content.decode()

    # Paper forms typed in by the one-stop-shop staff, audited like any other entry.
    entries = StaffEntry.objects.select_related("response", "entered_by")
    assert entries.count() >= 4
    assert {entry.entered_by.username for entry in entries} == {"motcua"}
    assert {entry.response.channel for entry in entries} >= {Channel.PAPER, Channel.POST}
    assert all(entry.response.answers.exists() for entry in entries)
    assert ModelLogEntry.objects.filter(action="wagtail_satisfaction.staff_entry").count() \
        == entries.count()


def test_the_printed_dossier_codes_open_the_rating_form(client):
    output = load(responses=0)
    # "  <code>  secret code <secret>  (<unit>)", in whichever language is active.
    pairs = re.findall(r"^  (\S+-\d{6}-\d{4})  \D*?([A-Z0-9]{8})  \(", output, re.MULTILINE)
    assert len(pairs) == 2
    for code, secret in pairs:
        lookup = client.post("/khao-sat/ho-so/", {"code": code, "secret": secret})
        assert lookup.status_code == 302, lookup.content.decode()
        form = client.get(lookup["Location"])
        assert form.status_code == 200
        assert code in form.content.decode() and 'name="q_' in form.content.decode()
    wrong = client.post("/khao-sat/ho-so/", {"code": pairs[0][0], "secret": "AAAAAAAA"})
    assert wrong.status_code == 400


def test_one_stop_staff_find_a_demo_dossier_by_its_code_or_applicant(client):
    load(responses=0)
    client.force_login(get_user_model().objects.get(username="motcua"))
    dossier = Dossier.objects.filter(applicant_name__startswith="Công ty").order_by("code")[0]

    def rows(query):
        """The dossiers listed for a search, by the edit links of their rows."""
        page = client.get("/admin/satisfaction/dossiers/", {"q": query})
        assert page.status_code == 200
        pks = set(re.findall(r'href="/admin/satisfaction/dossiers/edit/(\d+)/"',
                             page.content.decode()))
        return sorted(Dossier.objects.filter(pk__in=pks).values_list("code", flat=True))

    assert rows(dossier.code) == [dossier.code]
    assert rows(dossier.code.lower()) == [dossier.code]
    assert dossier.code in rows(dossier.code[-11:])  # "yymmdd-nnnn", as read off a receipt
    assert dossier.code in rows(dossier.applicant_name)
    assert rows("Không có hồ sơ này") == []


def test_the_demo_data_verifies_clean():
    load(responses=60)
    load(responses=60)  # a second run adds nothing and keeps every seal valid
    out = io.StringIO()
    call_command("satisfaction_verify", stdout=out)
    assert " 0 " in out.getvalue().splitlines()[-1]


def test_the_demo_api_token_works_as_the_docs_show_and_home_links_to_the_results(client):
    from example_site.home.management.commands.load_initial_data import DEMO_API_TOKEN
    from wagtail_satisfaction.models import ApiClient, ResultsPage

    out = load(responses=30)
    assert DEMO_API_TOKEN in out
    (curl,) = [line for line in out.splitlines() if line.strip().startswith("curl ")]
    url = curl.split()[-1].replace("http://127.0.0.1:8000", "")
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {DEMO_API_TOKEN}")
    assert response.status_code == 200, response.content
    assert response.json()["unit"].startswith("so-khcn")
    assert ApiClient.objects.count() == 1
    load(responses=0)  # again: the same client, still usable
    assert ApiClient.objects.count() == 1
    # The home page's menu leads to the public results page, which shows figures.
    page = ResultsPage.objects.get()
    home = client.get("/")
    assert f'href="{page.url}"' in home.content.decode()
    results = client.get(page.url)
    assert results.status_code == 200 and "Kết quả khảo sát sự hài lòng" in results.content.decode()
    assert page.campaign.publish_results
