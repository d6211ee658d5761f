"""The report screens' less travelled paths: the default campaign, refused filters and
formats, unreadable uploads. Each tells the user what happened and stores nothing."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_user
from tests.reports_factories import build_hand_dataset
from wagtail_satisfaction.models import DossierCount, Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REPORT = "wagtail_satisfaction_reports:report"


@pytest.fixture
def data():
    return build_hand_dataset()


@pytest.fixture
def secretary(client):
    group, _ = Group.objects.get_or_create(name="Thư ký ISO")
    group.permissions.add(*Permission.objects.filter(codename__in=[
        "access_admin", "view_response", "export_response", "add_response",
        "add_dossiercount"]))
    client.force_login(make_user("thuky", "Thư ký ISO"))
    return client


def shown_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_report_opens_on_the_latest_campaign_without_choosing_one(secretary, data):
    page = secretary.get(reverse(REPORT))
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["filters"].campaign == data["campaign"]
    assert 'id="figure-responses"' in html and "<strong>5</strong>" in html


def test_a_document_in_an_unknown_format_is_not_found(secretary, data):
    url = reverse("wagtail_satisfaction_reports:document")
    assert secretary.get(url, {"campaign": data["campaign"].pk,
                               "format": "odt"}).status_code == 404


@pytest.mark.parametrize("name", ["document", "export"])
def test_invalid_filters_send_back_to_the_report_with_the_reason(secretary, data, name):
    url = reverse(f"wagtail_satisfaction_reports:{name}")
    response = secretary.get(url, {"campaign": data["campaign"].pk, "year": "năm ngoái",
                                   "format": "xlsx" if name == "export" else "html"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(REPORT) + "?")
    assert "year=n" in response["Location"]  # the filters come back as typed
    assert any(m.startswith("The filters are not valid") for m in shown_messages(response))


def test_an_export_in_an_unknown_format_is_not_found(secretary, data):
    url = reverse("wagtail_satisfaction_reports:export")
    assert secretary.get(url, {"campaign": data["campaign"].pk,
                               "format": "pdf"}).status_code == 404
    assert secretary.get(url, {"campaign": data["campaign"].pk, "format": "csv",
                               "kind": "everything"}).status_code == 404


def test_an_unreadable_sub_unit_workbook_is_named_and_nothing_stored(secretary, data):
    before = Response.objects.count()
    page = secretary.post(reverse("wagtail_satisfaction_reports:import"), {
        "campaign": data["campaign"].pk,
        "file": SimpleUploadedFile("ketqua.xlsx", b"not a workbook")})
    assert page.status_code == 200
    assert "file" in page.context["form"].errors
    assert Response.objects.count() == before


def test_dossier_counts_page_explains_itself_and_refuses_an_unreadable_file(secretary):
    url = reverse("wagtail_satisfaction_reports:import_dossiers")
    page = secretary.get(url)
    assert page.status_code == 200
    assert "Dossier counts are the denominators" in page.content.decode()
    page = secretary.post(url, {"file": SimpleUploadedFile("counts.xlsx", b"\x00garbage")})
    assert page.status_code == 200 and "file" in page.context["form"].errors
    assert not DossierCount.objects.exists()
