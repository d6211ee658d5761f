"""Breakdowns with each group's own index (issue 14): every unit of the tree, officer, month,
channel, procedure and field, against figures counted by hand.

SIPAS-type dataset (the small questionnaire: F1 = Q1, Q2; F2 = Q3; satisfied = 4 or 5,
dissatisfied for Decision 766 = 1 or 2). Units: Sở ⊃ Phòng A ⊃ Tổ A1, and Sở ⊃ Phòng B.
MIN_GROUP_SIZE = 2.

====  ======  =======  =======  ====  =======  ==  ==  ==  ======
resp  day     unit     officer  proc  channel  Q1  Q2  Q3  766
====  ======  =======  =======  ====  =======  ==  ==  ==  ======
r1    05/10   Sở       An       P1    website  5   4   2   dissat.
r2    10/10   Phòng A  An       P1    paper    4   2   5   dissat.
r3    03/11   Tổ A1    Bình     P2    website  1   na  4   dissat.
r4    04/11   Tổ A1    –        –     kiosk    5   5   1   dissat.
r5    20/11   Phòng B  Chi      P2    website  3   4   4   –
r6    21/10   Phòng B  –        –     paper    2   2   na  dissat.
====  ======  =======  =======  ====  =======  ==  ==  ==  ======

Group indices (mean of items; % satisfied per question, mean per factor, mean of factors):

* An (r1, r2): Q1 2/2 = 100, Q2 1/2 = 50, Q3 1/2 = 50 → F1 75, F2 50, overall 62.50;
  766 0/2 = 0 %. (The pooled share of satisfied answers would be 4/6 = 66.67.)
* Bình and Chi have one response each: pooled, 2 officers (r3, r5): Q1 0/2 = 0, Q2 1/1 = 100,
  Q3 2/2 = 100 → F1 50, F2 100, overall 75; 766 1/2 = 50 %.
* No officer (r4, r6): Q1 1/2 = 50, Q2 1/2 = 50, Q3 0/1 = 0 → F1 50, F2 0, overall 25; 766 0 %.
* Sở own (r1): Q1 100, Q2 100, Q3 0 → F1 100, F2 0, overall 50; 766 0 %.
* Sở with sub-units (all): Q1 3/6 = 50, Q2 3/5 = 60, Q3 3/5 = 60 → F1 55, F2 60,
  overall 57.50; 766 1/6 = 16.67 %.
* Phòng A own (r2): Q1 100, Q2 0, Q3 100 → F1 50, F2 100, overall 75; 766 0 %.
* Phòng A with Tổ A1 (r2, r3, r4): Q1 2/3, Q2 1/2, Q3 2/3 → F1 (66.67 + 50) / 2 = 58.33,
  F2 66.67, overall 62.50; 766 0 %.
* Tổ A1 (r3, r4): Q1 1/2 = 50, Q2 1/1 = 100, Q3 1/2 = 50 → F1 75, F2 50, overall 62.50; 766 0 %.
* Phòng B (r5, r6): Q1 0/2 = 0, Q2 1/2 = 50, Q3 1/1 = 100 → F1 25, F2 100, overall 62.50;
  766 1/2 = 50 %.
* October (r1, r2, r6): Q1 2/3, Q2 1/3, Q3 1/2 → F1 50, F2 50, overall 50; 766 0 %.
* November (r3, r4, r5): Q1 1/3, Q2 2/2, Q3 2/3 → F1 66.67, F2 66.67, overall 66.67;
  766 1/3 = 33.33 %.
* Website (r1, r3, r5): Q1 1/3, Q2 2/2, Q3 2/3 → F1 66.67, F2 66.67, overall 66.67;
  766 1/3 = 33.33 %.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from tests.document_helpers import docx_row, docx_text_and_tables
from tests.factories import make_campaign, make_officer, make_procedure, make_unit, tthc
from tests.reports_factories import local, make_small_questionnaire, respond
from tests.test_reports_views import iso_secretary
from wagtail_satisfaction.models import Aggregation, Sector
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.stats import build_report, round_percent

pytestmark = pytest.mark.django_db
D = Decimal
EM = "\u2003"


@pytest.fixture(autouse=True)
def _minimum(settings):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 2


@pytest.fixture
def sipas():
    root = make_unit("Sở Tư pháp", code="so")
    unit_a = make_unit("Phòng A", parent=root, code="phong-a")
    unit_a1 = make_unit("Tổ A1", parent=unit_a, code="to-a1")
    unit_b = make_unit("Phòng B", parent=root, code="phong-b")
    campaign = make_campaign(unit=root, questionnaire=make_small_questionnaire(),
                             opens_on=datetime.date(2025, 10, 1),
                             closes_on=datetime.date(2025, 12, 31), slug="nhom")
    an, binh = make_officer(unit_a, name="Nguyễn Văn An"), make_officer(unit_a1, name="Lê Bình")
    chi = make_officer(unit_b, name="Trần Chi")
    p1 = make_procedure(root, name="Đăng ký khai sinh", code="P1",
                        sector=Sector.objects.get_or_create(name="Hộ tịch")[0])
    p2 = make_procedure(root, name="Cấp phiếu lý lịch", code="P2",
                        sector=Sector.objects.get_or_create(name="Lý lịch tư pháp")[0])
    for day, unit, officer, procedure, channel, (q1, q2, q3) in [
        ((10, 5), root, an, p1, "website", (5, 4, 2)),
        ((10, 10), unit_a, an, p1, "paper", (4, 2, 5)),
        ((11, 3), unit_a1, binh, p2, "website", (1, "na", 4)),
        ((11, 4), unit_a1, None, None, "kiosk", (5, 5, 1)),
        ((11, 20), unit_b, chi, p2, "website", (3, 4, 4)),
        ((10, 21), unit_b, None, None, "paper", (2, 2, "na")),
    ]:
        respond(campaign, local(2025, *day), {"1": q1, "2": q2, "3": q3}, unit=unit,
                officer=officer, procedure=procedure, channel=channel)
    return campaign


def figures(row):
    """(label, kind, depth, N, F1, F2, overall, 766) of a breakdown row, rounded."""
    return (row.label, row.kind, row.depth, row.responses,
            *(round_percent(f.index) for f in row.factors), round_percent(row.index),
            round_percent(row.d766_ratio))


def breakdown(report, key):
    return next(b for b in report.breakdowns if b.key == key)


UNIT_TREE = [
    ("Sở Tư pháp", "own", 0, 1, D("100.00"), D("0.00"), D("50.00"), D("0.00")),
    ("Sở Tư pháp", "tree", 0, 6, D("55.00"), D("60.00"), D("57.50"), D("16.67")),
    ("Phòng A", "own", 1, 1, D("50.00"), D("100.00"), D("75.00"), D("0.00")),
    ("Phòng A", "tree", 1, 3, D("58.33"), D("66.67"), D("62.50"), D("0.00")),
    ("Tổ A1", "unit", 2, 2, D("75.00"), D("50.00"), D("62.50"), D("0.00")),
    ("Phòng B", "unit", 1, 2, D("25.00"), D("100.00"), D("62.50"), D("50.00")),
]
OFFICERS = [
    ("Nguyễn Văn An", "", 0, 2, D("75.00"), D("50.00"), D("62.50"), D("0.00")),
    ("Other officers (fewer than 2 responses each)", "pool", 0, 2, D("50.00"), D("100.00"),
     D("75.00"), D("50.00")),
    ("No officer named", "none", 0, 2, D("50.00"), D("0.00"), D("25.00"), D("0.00")),
]


@pytest.mark.parametrize("raw", [False, True])  # daily tallies, then raw answers
@pytest.mark.usefixtures("english")
def test_every_group_has_its_own_index(sipas, raw):
    report = build_report(ReportFilters(campaign=sipas, raw=raw))
    assert round_percent(report.overall_index) == D("57.50")  # = the Sở with sub-units
    assert [figures(row) for row in breakdown(report, "unit").rows] == UNIT_TREE
    # The rows that do not overlap add up to the whole selection.
    assert [(row.label, row.responses) for row in breakdown(report, "unit").partition] == [
        ("Sở Tư pháp", 1), ("Phòng A", 3), ("Phòng B", 2)]
    officers = breakdown(report, "officer")
    assert [figures(row) for row in officers.rows] == OFFICERS
    assert officers.rows[1].members == 2 and officers.hidden_groups == 2
    # An's pooled share of satisfied answers (4 of 6) is not An's index.
    assert round_percent(officers.rows[0].percent_satisfied) == D("66.67")
    assert [figures(row) for row in report.trend] == [
        ("10/2025", "", 0, 3, D("50.00"), D("50.00"), D("50.00"), D("0.00")),
        ("11/2025", "", 0, 3, D("66.67"), D("66.67"), D("66.67"), D("33.33"))]
    website = next(row for row in breakdown(report, "channel").rows if row.label == "Website")
    assert figures(website)[3:] == (3, D("66.67"), D("66.67"), D("66.67"), D("33.33"))
    assert [figures(row)[3:] for row in breakdown(report, "procedure").rows] == [
        figures(row)[3:] for row in officers.rows]  # P1 = An's, P2 = the pool's, none = none
    assert [row.label for row in breakdown(report, "procedure").rows] == [
        "Đăng ký khai sinh", "Cấp phiếu lý lịch", "No procedure named"]
    assert [(row.label, figures(row)[6]) for row in breakdown(report, "sector").rows] == [
        ("Hộ tịch", D("62.50")), ("Lý lịch tư pháp", D("75.00")), ("No field", D("25.00"))]


@pytest.mark.usefixtures("english")
def test_a_unit_filter_starts_the_tree_at_that_unit(sipas):
    unit_a = sipas.unit.children.get(code="phong-a")
    rows = breakdown(build_report(ReportFilters(campaign=sipas, unit=unit_a)), "unit").rows
    assert [figures(row) for row in rows] == [
        ("Phòng A", "own", 0, 1, D("50.00"), D("100.00"), D("75.00"), D("0.00")),
        ("Phòng A", "tree", 0, 3, D("58.33"), D("66.67"), D("62.50"), D("0.00")),
        ("Tổ A1", "unit", 1, 2, D("75.00"), D("50.00"), D("62.50"), D("0.00"))]


@pytest.mark.usefixtures("english")
def test_the_campaigns_aggregation_setting_applies_to_each_group(sipas):
    sipas.aggregation = Aggregation.POOLED
    sipas.save()
    pool = breakdown(build_report(ReportFilters(campaign=sipas)), "officer").rows[1]
    # F1 pooled over Q1 and Q2: (0 + 1) satisfied of (2 + 1) applicable = 33.33; F2 100.
    assert figures(pool)[4:7] == (D("33.33"), D("100.00"), D("66.67"))


@pytest.mark.usefixtures("english")
def test_when_the_pool_is_withheld_the_no_officer_row_is_too(sipas, settings):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 5  # every officer pooled: 4 < 5
    officers = breakdown(build_report(ReportFilters(campaign=sipas)), "officer").rows
    assert [(row.label, row.responses, row.index, row.d766_ratio) for row in officers] == [
        ("Other officers (fewer than 5 responses each)", 4, None, None),
        ("No officer named", 2, None, None)]  # else total − this row = the pool


def _rows(html, section):
    tree = lxml_html.fromstring(html)
    # (strip(" \n"): keep the em spaces that indent the unit tree)
    return [[c.text_content().strip(" \n") for c in row.xpath("./td")]
            for row in tree.xpath(f'//*[@id="{section}"]//tbody/tr')]


def test_the_page_and_the_document_show_the_group_indices(client, sipas):
    client.force_login(iso_secretary())
    query = {"campaign": sipas.pk}
    html = client.get(reverse("wagtail_satisfaction_reports:report"), query).content.decode()
    units = _rows(html, "by-unit")
    assert units[3] == [f"{EM}Phòng A (gồm đơn vị trực thuộc)", "3", "58,33%", "66,67%",
                        "62,50%", "0,00%"]
    assert units[4][0] == f"{EM}{EM}Tổ A1"
    officers = _rows(html, "by-officer")
    assert officers[1] == ["Công chức khác (mỗi người dưới 2 phiếu): 2 công chức", "2",
                           "50,00%", "100,00%", "75,00%", "50,00%"]
    assert officers[2] == ["Không ghi công chức", "2", "50,00%", "0,00%", "25,00%", "0,00%"]
    content = client.get(reverse("wagtail_satisfaction_reports:document"),
                         {**query, "format": "docx"}).content
    _paragraphs, tables = docx_text_and_tables(content)
    assert docx_row(tables, f"{EM}Phòng A (gồm đơn vị trực thuộc)") == units[3]
    assert docx_row(tables, "Không ghi công chức") == officers[2]
    assert docx_row(tables, "11/2025") == _rows(html, "trend")[1]


@pytest.mark.usefixtures("english")
def test_tthc_groups_have_their_points_band_and_766_ratio(settings):
    """TTHC (9 indicators, 0–2 points). Sở ⊃ Phòng một cửa; officer Hà rates t1, t2:

    t1 Sở, March: all 2 (18)                       Hà
    t2 Phòng, March: 1–8 at 2, 9 at 0 → dissatisfied   Hà
    t3 Phòng, April: all 1 (9)                      no officer
    Sở own: 18 "Xuất sắc", 766 100 %; Sở with Phòng: means 1–8 5/3, 9 1 → 43/3 = 14.33 "Tốt",
    766 2/3; Phòng: 1–8 3/2, 9 1/2 → 12.50 "Tốt", 766 1/2; Hà: 1–8 2, 9 1 → 17 "Xuất sắc",
    766 1/2; no officer: 9 "Khá", 766 100 %.
    """
    root = make_unit("Sở Nội vụ", code="noi-vu")
    desk = make_unit("Phòng một cửa", parent=root, code="mot-cua")
    campaign = make_campaign(unit=root, questionnaire=tthc(), slug="tthc-nhom",
                             opens_on=datetime.date(2025, 1, 1),
                             closes_on=datetime.date(2025, 6, 30))
    ha = make_officer(desk, name="Phạm Thu Hà")
    respond(campaign, local(2025, 3, 1), {str(n): 2 for n in range(1, 10)}, unit=root,
            officer=ha)
    respond(campaign, local(2025, 3, 15), {**{str(n): 2 for n in range(1, 9)}, "9": 0},
            unit=desk, officer=ha)
    respond(campaign, local(2025, 4, 10), {str(n): 1 for n in range(1, 10)}, unit=desk)
    report = build_report(ReportFilters(campaign=campaign))

    def tthc_figures(row):
        return (row.label, row.kind, row.responses, round_percent(row.mean_points), row.band,
                round_percent(row.d766_ratio))

    assert [tthc_figures(row) for row in breakdown(report, "unit").rows] == [
        ("Sở Nội vụ", "own", 1, D("18.00"), "Xuất sắc", D("100.00")),
        ("Sở Nội vụ", "tree", 3, D("14.33"), "Tốt", D("66.67")),
        ("Phòng một cửa", "unit", 2, D("12.50"), "Tốt", D("50.00"))]
    assert [tthc_figures(row) for row in breakdown(report, "officer").rows] == [
        ("Phạm Thu Hà", "", 2, D("17.00"), "Xuất sắc", D("50.00")),
        ("No officer named", "none", 1, D("9.00"), "Khá", D("100.00"))]
    assert breakdown(report, "unit").rows[1].factors == []  # no index factors in TTHC


def test_file_names_carry_the_campaign_and_the_filters(client, sipas):
    client.force_login(iso_secretary())
    unit_a = sipas.unit.children.get(code="phong-a")
    query = {"campaign": sipas.pk, "period": "month", "year": 2025, "number": 11,
             "unit": unit_a.pk, "channel": "website"}
    names = {}
    for name, params in (("xlsx", {"format": "xlsx"}), ("csv", {"format": "csv"}),
                         ("comments", {"format": "csv", "kind": "comments"})):
        disposition = client.get(reverse("wagtail_satisfaction_reports:export"),
                                 {**query, **params})["Content-Disposition"]
        names[name] = disposition.split('filename="')[1].rstrip('"')
    today = names["xlsx"].rsplit("-", 1)[1].split(".")[0]
    assert names == {
        "xlsx": f"nhom-20251101_20251130-phong-a-website-{today}.xlsx",
        "csv": f"nhom-responses-20251101_20251130-phong-a-website-{today}.csv",
        "comments": f"nhom-comments-20251101_20251130-phong-a-website-{today}.csv"}
    sector = Sector.objects.get(name="Lý lịch tư pháp")
    disposition = client.get(reverse("wagtail_satisfaction_reports:export"), {
        "campaign": sipas.pk, "format": "xlsx", "sector": sector.pk})["Content-Disposition"]
    assert f'filename="nhom-ly-lich-tu-phap-{today}.xlsx"' in disposition


@pytest.mark.usefixtures("english")
def test_targets_follow_the_filters_and_say_what_is_not_met(sipas):
    from wagtail_satisfaction.models import DossierCount
    from wagtail_satisfaction.reports.targets import target_progress

    sipas.target_responses = 3
    sipas.target_dossier_share = D("30")
    sipas.save()
    unit_a = sipas.unit.children.get(code="phong-a")
    DossierCount.objects.create(unit=unit_a, starts_on=datetime.date(2025, 11, 1),
                                ends_on=datetime.date(2025, 11, 30), dossiers=10,
                                forms_handed_out=10)
    filters = ReportFilters(campaign=sipas, unit=unit_a, start=datetime.date(2025, 11, 1),
                            end=datetime.date(2025, 11, 30))
    lines = target_progress(sipas, filters=filters)
    # Phòng A (with Tổ A1) and Tổ A1, November only: r3 and r4.
    assert [(str(line.unit), line.period, line.responses) for line in lines] == [
        ("Phòng A", "01/11/2025 – 30/11/2025", 2), ("Tổ A1", "01/11/2025 – 30/11/2025", 2)]
    assert lines[0].shortfalls() == [
        "Responses: 1 more needed (2 of 3)",
        "Share of dossiers: 20.00%, 10.00 percentage points below the target of 30.00%"]
    assert lines[1].shortfalls() == [
        "Responses: 1 more needed (2 of 3)",
        "Share of dossiers: no dossier count entered for this unit and period (target 30.00%)"]
    # Without dates: each round and the whole campaign, from the filtered unit down.
    whole = target_progress(sipas, filters=ReportFilters(campaign=sipas, unit=unit_a))
    assert [(str(line.unit), line.period, line.responses) for line in whole] == [
        ("Phòng A", "", 3), ("Tổ A1", "", 2)]
    assert whole[0].met and whole[0].shortfalls() == []  # 3 responses, 3 of 10 dossiers
    assert whole[1].shortfalls() == [
        "Responses: 1 more needed (2 of 3)",
        "Share of dossiers: no dossier count entered for this unit and period (target 30.00%)"]


def test_every_filter_is_in_the_file_name(sipas):
    from wagtail_satisfaction.models import Officer, Procedure, Round
    from wagtail_satisfaction.reports.exports import filter_parts

    round_ = Round.objects.create(campaign=sipas, name="Đợt 2",
                                  starts_on=datetime.date(2025, 11, 1),
                                  ends_on=datetime.date(2025, 12, 31))
    filters = ReportFilters(campaign=sipas, round=round_, start=datetime.date(2025, 11, 1),
                            end=datetime.date(2025, 12, 31), unit=sipas.unit,
                            sector=Sector.objects.get(name="Hộ tịch"),
                            procedure=Procedure.objects.get(code="P1"),
                            officer=Officer.objects.get(name="Trần Chi"), channel="paper")
    assert filter_parts(filters) == [
        "dot-2", "20251101_20251231", "so", "ho-tich", "p1", f"cb{filters.officer.pk}", "paper"]
