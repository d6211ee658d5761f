"""The report's defects found by the ISO secretary (issue 14), each as she would notice it."""

import datetime

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from tests.document_helpers import docx_row, docx_text_and_tables
from tests.factories import make_campaign, tthc
from tests.reports_factories import build_hand_dataset, local, respond
from tests.test_reports_views import iso_secretary
from wagtail_satisfaction.models import Round

pytestmark = pytest.mark.django_db
REPORT = "wagtail_satisfaction_reports:report"


@pytest.fixture
def secretary_client(client):
    client.force_login(iso_secretary())
    return client


def _rows(tree, section):
    return [[c.text_content().strip() for c in row.xpath("./td")]
            for row in tree.xpath(f'//*[@id="{section}"]//tbody/tr')]


def _tthc_campaign():
    """Three TTHC ratings, counted by hand:

    t1 01/03: indicators 1–9 all 2 (18 points)  → not dissatisfied
    t2 15/03: 1–8 at 2, 9 at 0 (16 points)      → dissatisfied (a 0)
    t3 10/04: all 1 (9 points)                  → not dissatisfied
    Indicator means: 1–8 5/3, 9 1 → total 43/3 = 14.33 "Tốt"; 766 ratio 2/3 = 66.67 %.
    March: 2 responses, 17 points per response "Xuất sắc", 766 1/2; April: 9 "Khá", 766 1/1.
    """
    campaign = make_campaign(questionnaire=tthc(), opens_on=datetime.date(2025, 1, 1),
                             closes_on=datetime.date(2025, 6, 30), slug="tthc-2025")
    respond(campaign, local(2025, 3, 1), {str(n): 2 for n in range(1, 10)})
    respond(campaign, local(2025, 3, 15), {**{str(n): 2 for n in range(1, 9)}, "9": 0})
    respond(campaign, local(2025, 4, 10), {str(n): 1 for n in range(1, 10)})
    return campaign


def test_a_tthc_report_has_its_trend_bands_and_766_ratio(secretary_client):
    campaign = _tthc_campaign()
    html = secretary_client.get(reverse(REPORT), {"campaign": campaign.pk}).content.decode()
    tree = lxml_html.fromstring(html)
    assert tree.xpath('//*[@id="figure-tthc"]/strong')[0].text_content() == "14,33"
    assert "Tốt" in tree.xpath('//*[@id="figure-tthc"]')[0].text_content()
    assert tree.xpath('//*[@id="figure-d766"]/strong')[0].text_content() == "66,67%"
    # The monthly trend: a line with two points, and its table with bands and 766 ratios.
    assert len(tree.xpath('//*[@id="trend"]//svg//circle')) == 2
    assert _rows(tree, "trend") == [["03/2025", "2", "17,00", "Xuất sắc", "50,00%"],
                                    ["04/2025", "1", "9,00", "Khá", "100,00%"]]
    assert _rows(tree, "by-unit") == [["Sở Khoa học và Công nghệ", "3", "14,33", "Tốt",
                                       "66,67%"]]
    # A percentage column holds percentages or nothing, never "trung bình …".
    questions = _rows(tree, "questions")
    assert questions and all(row[3] == "" or row[3].endswith("%") for row in questions)
    assert "trung bình" not in " ".join(row[3] for row in questions).lower()
    indicator_9 = next(row for row in questions if row[0].startswith("9."))
    assert indicator_9[4] == "1,00"  # mean points in the mean column
    # The document has the same trend.
    content = secretary_client.get(reverse("wagtail_satisfaction_reports:document"),
                                   {"campaign": campaign.pk, "format": "docx"}).content
    _paragraphs, tables = docx_text_and_tables(content)
    assert docx_row(tables, "03/2025")[1:] == ["2", "17,00", "Xuất sắc", "50,00%"]


def test_a_yes_no_question_shows_its_answers_not_a_mean(secretary_client):
    campaign = make_campaign()  # the standard SIPAS questionnaire, with K1 (yes/no)
    questions = campaign.questionnaire.questions()
    for hassle in (1, 0, 0):
        respond(campaign, local(2025, 3, 1), {
            q.code: hassle if q.scale == "yes_no" else (2 if q.scale == "expectation3" else 4)
            for q in questions})
    tree = lxml_html.fromstring(secretary_client.get(reverse(REPORT), {
        "campaign": campaign.pk}).content.decode())
    rows = _rows(tree, "questions")
    yes_no = next(row for row in rows if row[0].startswith("K1."))
    assert yes_no[3:] == ["", ""]  # neither a % satisfied nor a "mean" of yes and no
    assert "Có: 1 (33,33%)" in yes_no[1] and "Không: 2 (66,67%)" in yes_no[1]
    assert all(row[3] == "" or row[3].endswith("%") for row in rows)
    expectation = next(row for row in rows if row[0].startswith("MD1."))
    assert expectation[3:] == ["", "2,00"]


def test_a_quarter_without_its_number_is_refused_not_reported_as_q1(secretary_client):
    data = build_hand_dataset()
    html = secretary_client.get(reverse(REPORT), {
        "campaign": data["campaign"].pk, "period": "quarter", "year": "2025"}).content.decode()
    assert "Chọn quý thứ mấy (1–4)." in html
    assert 'id="figure-responses"' not in html
    # A year needs no number.
    html = secretary_client.get(reverse(REPORT), {
        "campaign": data["campaign"].pk, "period": "year", "year": "2025"}).content.decode()
    assert 'id="figure-responses"' in html


def test_an_empty_selection_says_so_instead_of_tables_of_dashes(secretary_client):
    data = build_hand_dataset()
    html = secretary_client.get(reverse(REPORT), {
        "campaign": data["campaign"].pk, "period": "quarter", "year": "2025",
        "number": "1"}).content.decode()
    tree = lxml_html.fromstring(html)
    assert "Không có phiếu nào khớp với bộ lọc này" in tree.xpath(
        '//*[@id="no-responses"]')[0].text_content()
    assert not tree.xpath('//*[@id="questions"]') and not tree.xpath('//*[@id="by-unit"]')


def test_rounds_are_listed_with_their_campaign(secretary_client):
    data = build_hand_dataset()
    other = make_campaign(title="Khảo sát 2026", slug="khao-sat-2026")
    for campaign in (data["campaign"], other):
        Round.objects.create(campaign=campaign, name="Đợt 1", sort_order=0,
                             starts_on=campaign.opens_on, ends_on=campaign.closes_on)
    tree = lxml_html.fromstring(secretary_client.get(reverse(REPORT), {
        "campaign": data["campaign"].pk}).content.decode())
    labels = [o.text_content() for o in tree.xpath('//select[@id="id_round"]/option')][1:]
    assert sorted(labels) == ["Khảo sát 2025 – Đợt 1", "Khảo sát 2026 – Đợt 1"]


def test_the_two_csv_files_have_different_names(client):
    from django.contrib.auth.models import Permission

    data = build_hand_dataset()
    user = iso_secretary()
    user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    client.force_login(user)
    names = {kind: client.get(reverse("wagtail_satisfaction_reports:export"), {
        "campaign": data["campaign"].pk, "format": "csv", "kind": kind,
    })["Content-Disposition"] for kind in ("responses", "comments")}
    assert names["responses"] != names["comments"]
    assert "khao-sat-2025-responses-" in names["responses"]
    assert "khao-sat-2025-comments-" in names["comments"]


def test_the_page_explains_the_766_ratio(secretary_client):
    data = build_hand_dataset()
    html = secretary_client.get(reverse(REPORT), {"campaign": data["campaign"].pk})
    help_text = lxml_html.fromstring(html.content.decode()).xpath(
        '//*[@id="d766-help"]')[0].text_content()
    assert "đếm người" in help_text and "thấp hơn nhiều" in help_text


def test_the_iso_secretary_imports_dossier_counts_from_the_reports_link(client):
    from tests.factories import make_user
    from wagtail_satisfaction import roles

    data = build_hand_dataset()
    roles.ensure_role_groups()
    client.force_login(make_user("thuky-that", roles.ISO_SECRETARY))
    page = client.get(reverse(REPORT), {"campaign": data["campaign"].pk}).content.decode()
    link = reverse("wagtail_satisfaction_reports:import_dossiers")
    assert f'href="{link}"' in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "counts.csv", b"unit_code,from,to,dossiers,forms_handed_out\n"
                      b"phong-b,2025-10-01,2025-12-31,12,6\n", content_type="text/csv")
    response = client.post(link, {"file": upload})
    assert response.status_code == 302
    assert data["unit_b"].dossier_counts.filter(dossiers=12).exists()
