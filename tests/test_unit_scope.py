"""Unit scopes: two sibling units' secretaries each see only their own unit.

Sở Tư pháp (parent) runs one campaign over Phòng Hộ tịch (A) and Phòng Công chứng (B).
In a small unit one person holds several roles, so each secretary here is ISO secretary,
IT moderator and one-stop staff at once: every surface (responses, report, exports,
comments, dossiers) is tried with the same two people.
"""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.channels_factories import make_dossier, make_kiosk_key, xlsx_bytes
from tests.factories import make_campaign, make_unit, make_user
from tests.moderation_factories import make_comment
from wagtail_satisfaction import roles
from wagtail_satisfaction.models import Campaign, Comment, Dossier, ModerationState, UnitScope
from wagtail_satisfaction.models.scopes import units_for
from wagtail_satisfaction.reports.columns import RESPONSE_COLUMNS, lookup, normalise

ROLES = (roles.ISO_SECRETARY, roles.IT_MODERATOR, roles.ONE_STOP)


@pytest.fixture
def site(db):
    roles.ensure_role_groups()
    parent = make_unit("Sở Tư pháp", code="so-tu-phap", kind="department")
    a = make_unit("Phòng Hộ tịch", parent=parent, code="ho-tich")
    b = make_unit("Phòng Công chứng", parent=parent, code="cong-chung")
    campaign = make_campaign(unit=parent, slug="khao-sat-so")
    comments = {}
    for unit, code, text in ((a, "HS-A-1", "Hộ tịch làm nhanh"), (a, "HS-A-2", "Tốt"),
                             (b, "HS-B-1", "Công chứng chậm"), (b, "HS-B-2", "Chờ lâu"),
                             (b, "HS-B-3", "Bình thường")):
        comments[code] = make_comment(campaign, text, unit=unit, dossier_code=code)
    Comment.objects.update(state=ModerationState.RELEVANT)
    users = {}
    for name, unit in (("thuky_a", a), ("thuky_b", b), ("thuky_so", parent)):
        users[name] = make_user(name, *ROLES)
        UnitScope.objects.create(user=users[name], unit=unit)
    return {"parent": parent, "a": a, "b": b, "campaign": campaign, "comments": comments,
            "dossier_a": make_dossier(a, code="HS-A-1"),
            "dossier_b": make_dossier(b, code="HS-B-1"), **users}


def login(client, user):
    client.force_login(user)
    return client


def export_rows(client, **params):
    response = client.get(reverse("wagtail_satisfaction_reports:export"),
                          {"campaign": params.pop("campaign"), **params})
    assert response.status_code == 200
    if params.get("format") == "csv":
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        header, *rows = list(csv.reader(io.StringIO(text)))
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book["Phản hồi"] if "Phản hồi" in book.sheetnames else book.worksheets[-2]
        header, *rows = list(sheet.values)
    keys = lookup(RESPONSE_COLUMNS)  # Vietnamese headers → column keys
    header = [keys.get(normalise(name), name) for name in header]
    return [dict(zip(header, row, strict=False)) for row in rows]


# --- The rule ---------------------------------------------------------------------------

def test_the_rule_of_units_for(db):
    parent = make_unit("Tỉnh")
    a, b = make_unit("Xã A", parent=parent), make_unit("Xã B", parent=parent)
    a1 = make_unit("Thôn A1", parent=a)
    alone = make_user("mot_minh")
    # A single-agency site: no binding at all, everybody sees everything (as before).
    assert units_for(alone) is None
    bound = make_user("thuky_xa_a")
    UnitScope.objects.create(user=bound, unit=a)
    assert set(units_for(bound)) == {a, a1}
    # Once bindings exist, an unbound user sees nothing, a superuser everything.
    assert list(units_for(make_user("khong_gan"))) == []
    assert units_for(make_user("quan_tri", is_superuser=True)) is None
    # A group's binding holds for its members.
    group = Group.objects.create(name="Thư ký ISO xã B")
    UnitScope.objects.create(group=group, unit=b)
    member = make_user("thanh_vien")
    member.groups.add(group)
    assert list(units_for(member)) == [b]


# --- Responses and comments listings ----------------------------------------------------

def test_each_secretary_lists_only_their_units_responses(client, site):
    url = reverse("wagtail_satisfaction_response_modeladmin_index")
    html = login(client, site["thuky_a"]).get(url).content.decode()
    assert "HS-A-1" in html and "HS-A-2" in html and "HS-B-1" not in html
    html = login(client, site["thuky_b"]).get(url).content.decode()
    assert "HS-B-3" in html and "HS-A-1" not in html
    html = login(client, site["thuky_so"]).get(url).content.decode()
    assert "HS-A-1" in html and "HS-B-1" in html


def test_the_moderation_queue_shows_only_their_units_comments(client, site):
    Comment.objects.update(state=ModerationState.PENDING)
    html = login(client, site["thuky_a"]).get(
        reverse("wagtail_satisfaction_comment_modeladmin_index")).content.decode()
    assert "Hộ tịch làm nhanh" in html and "Công chứng chậm" not in html


def test_other_units_object_urls_answer_404(client, site):
    comment_b = site["comments"]["HS-B-1"]
    response_b, dossier_b = comment_b.response, site["dossier_b"]
    kiosk_b = make_kiosk_key(site["campaign"], unit=site["b"])
    urls = [
        reverse("wagtail_satisfaction_response_modeladmin_inspect", args=[response_b.pk]),
        reverse("wagtail_satisfaction_response_modeladmin_history", args=[response_b.pk]),
        reverse("wagtail_satisfaction_comment_modeladmin_inspect", args=[comment_b.pk]),
        reverse("wagtail_satisfaction_dossiers:edit", args=[dossier_b.pk]),
        reverse("wagtail_satisfaction_dossiers:inspect", args=[dossier_b.pk]),
        reverse("wagtail_satisfaction_dossiers:history", args=[dossier_b.pk]),
        reverse("wagtail_satisfaction_dossiers:slip", args=[dossier_b.pk]),
        reverse("wagtail_satisfaction_kiosks:edit", args=[kiosk_b.pk]),
    ]
    client = login(client, site["thuky_a"])
    for url in urls:
        assert client.get(url).status_code == 404, url
    # The same URLs open for the secretary of B and of the parent unit.
    for user in (site["thuky_b"], site["thuky_so"]):
        login(client, user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)


def test_dossier_listing_is_scoped(client, site):
    html = login(client, site["thuky_a"]).get(
        reverse("wagtail_satisfaction_dossiers:index")).content.decode()
    assert "HS-A-1" in html and "HS-B-1" not in html


# --- Report and exports -----------------------------------------------------------------

def report_of(client, user, campaign, **params):
    response = login(client, user).get(reverse("wagtail_satisfaction_reports:report"),
                                       {"campaign": campaign.pk, **params})
    assert response.status_code == 200
    return response


def test_the_report_counts_only_their_units_responses(client, site):
    campaign = site["campaign"]
    response = report_of(client, site["thuky_a"], campaign)
    report = response.context["report"]
    assert report.responses == 2
    assert "Phòng Công chứng" not in response.content.decode()
    assert "Công chứng chậm" not in response.content.decode()
    assert report_of(client, site["thuky_b"], campaign).context["report"].responses == 3
    assert report_of(client, site["thuky_so"], campaign).context["report"].responses == 5


def test_choosing_the_other_unit_in_the_report_is_refused(client, site):
    response = report_of(client, site["thuky_a"], site["campaign"], unit=site["b"].pk)
    assert "report" not in response.context
    assert response.context["form"].errors["unit"]


def test_exports_hold_only_their_units_rows(client, site):
    campaign = site["campaign"]
    client = login(client, site["thuky_a"])
    xlsx = export_rows(client, campaign=campaign.pk, format="xlsx")
    assert sorted(row["dossier_code"] for row in xlsx) == ["HS-A-1", "HS-A-2"]
    rows = export_rows(client, campaign=campaign.pk, format="csv")
    assert {row["unit_code"] for row in rows} == {"ho-tich"} and len(rows) == 2
    comments = export_rows(client, campaign=campaign.pk, format="csv", kind="comments")
    assert sorted(row["Ý kiến"] if "Ý kiến" in row else list(row.values())[-1]
                  for row in comments) == ["Hộ tịch làm nhanh", "Tốt"]
    # An export asking for the other unit is refused, not emptied silently.
    response = client.get(reverse("wagtail_satisfaction_reports:export"),
                          {"campaign": campaign.pk, "unit": site["b"].pk, "format": "csv"})
    assert response.status_code == 302
    login(client, site["thuky_so"])
    assert len(export_rows(client, campaign=campaign.pk, format="csv")) == 5


def test_a_background_export_keeps_its_users_scope(client, site, settings):
    settings.WAGTAIL_SATISFACTION_EXPORT_BACKGROUND_THRESHOLD = 1
    from wagtail_satisfaction.models import ExportJob
    from wagtail_satisfaction.reports.exports import ExportRequest

    login(client, site["thuky_a"]).get(reverse("wagtail_satisfaction_reports:export"),
                                        {"campaign": site["campaign"].pk, "format": "csv"})
    job = ExportJob.objects.get(user=site["thuky_a"])
    assert ExportRequest.from_job(job).count() == 2


# --- Set-up, imports and channels -------------------------------------------------------

def test_a_campaign_manager_creates_campaigns_only_in_their_units(client, site):
    manager = make_user("quanly_a", roles.CAMPAIGN_MANAGER)
    UnitScope.objects.create(user=manager, unit=site["a"])
    client = login(client, manager)
    url = reverse("wagtailsnippets_wagtail_satisfaction_campaign:add")
    form = client.get(url).context["form"]
    assert set(form.fields["unit"].queryset) == {site["a"]}
    today = datetime.date.today()
    data = {"title": "Khảo sát công chứng", "slug": "khao-sat-cong-chung",
            "unit": site["b"].pk, "questionnaire": site["campaign"].questionnaire_id,
            "opens_on": today.isoformat(), "closes_on": today.isoformat(),
            "email_policy": "optional", "aggregation": "mean_of_items",
            "dossier_code_check": "secret", "survey_layout": "steps",
            "rounds-TOTAL_FORMS": 0, "rounds-INITIAL_FORMS": 0,
            "rounds-MIN_NUM_FORMS": 0, "rounds-MAX_NUM_FORMS": 1000}
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert not Campaign.objects.filter(slug="khao-sat-cong-chung").exists()
    client.post(url, {**data, "unit": site["a"].pk})
    assert Campaign.objects.filter(slug="khao-sat-cong-chung", unit=site["a"]).exists()
    # The parent's campaign is not theirs to edit.
    edit = reverse("wagtailsnippets_wagtail_satisfaction_campaign:edit",
                   args=[site["campaign"].pk])
    assert client.get(edit).status_code == 404


def test_a_dossier_import_into_another_unit_is_refused(client, site):
    content = xlsx_bytes(["code", "unit", "received_on"],
                         [["HS-A-9", "ho-tich", "2026-01-05"],
                          ["HS-B-9", "cong-chung", "2026-01-05"],
                          ["HS-B-1", "ho-tich", "2026-01-05"]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(client, site["thuky_a"]).post(
        reverse("wagtail_satisfaction_dossiers:import"),
        {"file": SimpleUploadedFile("hoso.xlsx", content)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cong-chung" in html and "HS-B-1" in html
    assert not Dossier.objects.filter(code__in=["HS-A-9", "HS-B-9"]).exists()
    assert Dossier.objects.get(code="HS-B-1").unit == site["b"]


def test_the_reverification_draw_takes_only_their_units_responses(client, site):
    from wagtail_satisfaction.models import Response, Reverification

    Response.objects.update(email="nguoidan@example.vn")
    login(client, site["thuky_a"]).post(
        reverse("wagtail_satisfaction_reverification:draw"),
        {"campaign": site["campaign"].pk, "share": "100"})
    drawn = Reverification.objects.values_list("response__unit", flat=True)
    assert list(drawn) and set(drawn) == {site["a"].pk}
