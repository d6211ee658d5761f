"""The report, export and import screens: permissions, downloads, background exports."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.factories import make_user, refusal
from tests.reports_factories import build_hand_dataset
from wagtail_satisfaction.models import ExportJob
from wagtail_satisfaction.reports.columns import headers_of

pytestmark = pytest.mark.django_db


def iso_secretary(username="thuky"):
    group, _ = Group.objects.get_or_create(name="Thư ký ISO")
    group.permissions.add(*Permission.objects.filter(
        codename__in=["access_admin", "view_response", "export_response"]))
    return make_user(username, "Thư ký ISO")


@pytest.fixture
def data():
    return build_hand_dataset()


@pytest.fixture
def secretary_client(client):
    client.force_login(iso_secretary())
    return client


def test_the_report_needs_view_response(client, data):
    editor = make_user("editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    url = reverse("wagtail_satisfaction_reports:report")
    assert refusal(client.get(url)) == "dashboard"
    assert refusal(client.get(reverse("wagtail_satisfaction_reports:export"))) == "dashboard"


def test_report_page_shows_figures_charts_and_escaped_comments(secretary_client, data):
    with translation.override("en"):
        page = secretary_client.get(reverse("wagtail_satisfaction_reports:report"), {
            "campaign": data["campaign"].pk, "period": "quarter", "year": 2025, "number": 4,
            "unit": data["unit_a"].pk, "HTTP_ACCEPT_LANGUAGE": "en"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="figure-responses"' in html and "<strong>2</strong>" in html
    assert html.count("<svg class=\"satisfaction-chart\"") == 2  # bars, trend line
    assert "<script src=\"http" not in html  # nothing loaded from elsewhere
    assert "=HYPERLINK(&quot;http://x&quot;)" in html  # relevant comment, escaped
    assert "alert(1)" not in html  # spam is never shown


def test_a_small_export_downloads_at_once(secretary_client, data):
    url = reverse("wagtail_satisfaction_reports:export")
    response = secretary_client.get(url, {"campaign": data["campaign"].pk, "format": "xlsx"})
    assert response.status_code == 200
    assert 'filename="khao-sat-2025-' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(values_only=True)}
    # responses; overall index as a percentage cell (54.17 %)
    assert 5 in summary.values() and 0.5417 in summary.values()
    [responses] = [ws for ws in workbook.worksheets  # headed in either language
                   if ws.cell(1, 1).value in headers_of("uid")
                   and ws.cell(1, 3).value in headers_of("channel")]
    assert sorted(row[0] for row in responses.iter_rows(min_row=2, values_only=True)) == sorted(
        str(r.uid) for r in data["responses"])
    response = secretary_client.get(url, {"campaign": data["campaign"].pk, "format": "csv"})
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8 Vietnamese
    assert "Cấp giấy phép A" in body.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0][0] in headers_of("uid")
    assert sorted(row[0] for row in table[1:]) == sorted(str(r.uid) for r in data["responses"])


def test_a_large_export_runs_in_the_background(secretary_client, data, settings):
    settings.WAGTAIL_SATISFACTION_EXPORT_BACKGROUND_THRESHOLD = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(settings.BASE_DIR / "var" / "test-media")
    response = secretary_client.get(reverse("wagtail_satisfaction_reports:export"),
                                    {"campaign": data["campaign"].pk, "format": "xlsx"})
    job = ExportJob.objects.get()
    assert response.url == reverse("wagtail_satisfaction_reports:export_job", args=[job.pk])
    assert (job.status, job.total) == ("done", 5)
    page = secretary_client.get(response.url)
    assert reverse("wagtail_satisfaction_reports:export_job_download", args=[job.pk]) in (
        page.content.decode())
    download = secretary_client.get(
        reverse("wagtail_satisfaction_reports:export_job_download", args=[job.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    [responses] = [ws for ws in workbook.worksheets  # headed in either language
                   if ws.cell(1, 1).value in headers_of("uid")
                   and ws.cell(1, 3).value in headers_of("channel")]
    assert sorted(row[0] for row in responses.iter_rows(min_row=2, values_only=True)) == sorted(
        str(r.uid) for r in data["responses"])
    job.file.delete()
    other = make_user("other", "Thư ký ISO")
    secretary_client.force_login(other)
    assert secretary_client.get(page.request["PATH_INFO"]).status_code == 404


def test_import_screen_reports_rows(secretary_client, data):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["uid", "submitted_at", "channel", "unit_code", "procedure_code", "officer",
                  "dossier_code", "dossier_proven", "comment", "comment_state",
                  "Q1", "Q2", "Q3", "QE1", "QE2"])
    sheet.append(["not-a-uid", "2025-10-02 10:00", "paper", "phong-a", "", "", "", 0,
                  "Tốt", "pending", 4, 4, 4, "", ""])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "phong-a.xlsx"
    page = secretary_client.post(reverse("wagtail_satisfaction_reports:import"),
                                 {"campaign": data["campaign"].pk, "file": upload})
    assert page.status_code == 200
    html = page.content.decode()
    # in the user's language: Vietnamese
    assert "Dòng 2: mã phiếu (uid) bị thiếu hoặc không hợp lệ" in html


def test_import_screen_names_a_missing_column_in_vietnamese(secretary_client, data):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Mã phiếu", "Thời điểm gửi", "Mã kênh", "Mã đơn vị", "Q1"])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "phong-a.xlsx"
    page = secretary_client.post(reverse("wagtail_satisfaction_reports:import"),
                                 {"campaign": data["campaign"].pk, "file": upload})
    html = page.content.decode()
    assert "Thiếu cột:" in html and "“Ý kiến”" in html and "“Mã hồ sơ”" in html


def test_dossier_count_upload_screen(client, data):
    user = iso_secretary("thuky2")
    user.user_permissions.add(Permission.objects.get(codename="add_dossiercount"))
    client.force_login(user)
    upload = io.BytesIO(b"unit_code,from,to,dossiers,forms_handed_out\n"
                        b"phong-b,2025-10-01,2025-10-31,7,\n")
    upload.name = "counts.csv"
    response = client.post(reverse("wagtail_satisfaction_reports:import_dossiers"),
                           {"file": upload})
    assert response.status_code == 302
    assert data["unit_b"].dossier_counts.filter(dossiers=7).exists()


def test_tthc_report_page_shows_points_and_band(secretary_client):
    from tests.factories import make_campaign, tthc
    from tests.reports_factories import local, respond

    campaign = make_campaign(questionnaire=tthc())
    respond(campaign, local(2025, 3, 1), {str(n): 2 for n in range(1, 10)})  # 18 points
    respond(campaign, local(2025, 3, 2), {**{str(n): 2 for n in range(1, 10)}, "1": 1})  # 17
    html = secretary_client.get(reverse("wagtail_satisfaction_reports:report"),
                                {"campaign": campaign.pk}).content.decode()
    figure = html.split('id="figure-tthc"', 1)[1].split("</div>", 1)[0]
    # Mean points 17.5 of 18: "Xuất sắc" (16 and more); written 17,50 in Vietnamese.
    assert figure == ">Điểm TTHC (trên 18)<strong>17,50</strong>Xuất sắc"


def test_an_officer_with_too_few_responses_is_not_shown(secretary_client, data):
    url = reverse("wagtail_satisfaction_reports:report")
    page = secretary_client.get(url, {"campaign": data["campaign"].pk,
                                      "officer": data["binh"].pk})  # one response, minimum 5
    assert 'id="figure-responses"' not in page.content.decode()
    assert "can be singled out" in page.content.decode() or "nhận ra" in page.content.decode()


def test_dossier_counts_are_typed_in_as_snippets(client, data):
    admin = make_user("admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    listing = client.get(reverse("wagtailsnippets_wagtail_satisfaction_dossiercount:list"))
    assert listing.status_code == 200 and "Phòng A" in listing.content.decode()
    response = client.post(reverse("wagtailsnippets_wagtail_satisfaction_dossiercount:add"), {
        "unit": data["unit_b"].pk, "starts_on": "2025-12-01", "ends_on": "2025-11-01",
        "dossiers": "4"})
    assert response.status_code == 200  # refused: the period ends before it starts
    assert not data["unit_b"].dossier_counts.filter(dossiers=4).exists()


def test_a_running_export_shows_its_progress_and_refreshes(client, data):
    user = iso_secretary("thuky3")
    client.force_login(user)
    job = ExportJob.objects.create(user=user, format="xlsx", total=400, done=100,
                                   status="running")
    html = client.get(reverse("wagtail_satisfaction_reports:export_job",
                              args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh"' in html
    assert '<progress max="100" value="25"' in html
    assert client.get(reverse("wagtail_satisfaction_reports:export_job_download",
                              args=[job.pk])).status_code == 404  # not ready yet


def test_the_download_links_keep_the_reports_filters(secretary_client, data):
    import html as html_lib
    from urllib.parse import parse_qs, urlsplit

    page = secretary_client.get(reverse("wagtail_satisfaction_reports:report"),
                                {"campaign": data["campaign"].pk, "unit": data["unit_a"].pk})
    content = page.content.decode()
    export = reverse("wagtail_satisfaction_reports:export")
    links = [html_lib.unescape(part.split('"', 1)[0])
             for part in content.split('href="')[1:] if part.startswith(export + "?")]
    queries = [parse_qs(urlsplit(link).query) for link in links]
    assert [(q["format"], q.get("kind")) for q in queries] == [
        (["xlsx"], None), (["csv"], None), (["csv"], ["comments"])]
    assert all(q.get("unit") == [str(data["unit_a"].pk)] for q in queries), queries
    comments = secretary_client.get(links[2])
    assert b"".join(comments.streaming_content).decode("utf-8-sig").startswith("Mã phiếu,")
