"""Every figure of the report and of its xlsx export, against numbers counted by hand.

The dataset is described in ``tests.reports_factories.build_hand_dataset``.
"""

import datetime
import io
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from openpyxl import load_workbook

from tests.reports_factories import build_hand_dataset
from wagtail_satisfaction.models import Aggregation, DossierCount
from wagtail_satisfaction.reports.exports import write_xlsx
from wagtail_satisfaction.reports.filters import ReportFilterForm, ReportFilters
from wagtail_satisfaction.reports.rollup import rebuild_tallies
from wagtail_satisfaction.reports.stats import build_report, round_percent, share
from wagtail_satisfaction.reports.targets import target_progress

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the labels below are the English source strings
        yield


@pytest.fixture
def data(settings):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 2
    return build_hand_dataset()


def pct(value):
    return round_percent(value)


def by_code(report):
    return {q.question.code: q for q in report.questions}


def rows(breakdown, partition=False):
    return [(row.label, row.responses, pct(row.percent_satisfied))
            for row in (breakdown.partition if partition else breakdown.rows)]


def test_percentages_round_half_up_only_at_the_end():
    assert round_percent(Fraction(25, 8)) == D("3.13")  # 3.125: half-up, not half-even
    assert round_percent(Fraction(200, 3)) == D("66.67")
    assert round_percent(None) is None


def test_one_percentage_exact_or_rounded_where_asked():
    assert share(2, 3) == Fraction(200, 3)  # the report keeps the exact value
    assert share(1, 8, places=2) == D("12.50")  # response rates: half-up to 2 decimals
    assert share(5, 6, places=0, rounding=ROUND_DOWN) == 83  # export progress: whole, down
    assert share(3, 0) is None and share(0, 0, places=2) is None


def check_whole_campaign(report):
    assert report.responses == 5
    q = by_code(report)
    assert q["1"].counts == {1: 1, 2: 1, 4: 1, 5: 1, None: 1}
    assert [n for _label, n, _share in q["1"].distribution()] == [1, 1, 0, 1, 1, 1]
    assert (q["1"].applicable, q["1"].satisfied, pct(q["1"].percent_satisfied)) == (
        4, 2, D("50.00"))
    assert (q["2"].applicable, q["2"].satisfied, pct(q["2"].percent_satisfied)) == (
        3, 3, D("100.00"))
    assert (q["3"].applicable, q["3"].satisfied, pct(q["3"].percent_satisfied)) == (
        3, 1, D("33.33"))
    assert [pct(f.index) for f in report.factors] == [D("75.00"), D("33.33")]
    assert pct(report.overall_index) == D("54.17")
    # Expectations ranked by mean level: E1 (12/5) before E2 (8/4, r5 left it empty).
    assert [(e.question.code, e.mean) for e in report.expectations] == [
        ("E1", Fraction(12, 5)), ("E2", Fraction(2))]
    # Decision 766: r2, r3 and r5 rated something (very) dissatisfied; 20 dossiers typed in.
    assert report.totals.dissatisfied == 3
    assert report.dossiers == 20
    assert pct(report.d766_ratio) == D("85.00")
    breakdowns = {b.key: b for b in report.breakdowns}
    # The rows that do not overlap: the Sở's own responses and each direct sub-unit's tree.
    assert rows(breakdowns["unit"], partition=True) == [
        ("Sở Khoa học và Công nghệ", 1, None), ("Phòng A", 3, D("62.50")),
        ("Phòng B", 1, D("50.00"))]
    # The whole tree, own responses and with sub-units (tests/test_reports_breakdowns.py).
    assert [(row.label, row.kind, row.depth, row.responses) for row in
            breakdowns["unit"].rows] == [
        ("Sở Khoa học và Công nghệ", "own", 0, 1), ("Sở Khoa học và Công nghệ", "tree", 0, 5),
        ("Phòng A", "own", 1, 2), ("Phòng A", "tree", 1, 3), ("Bộ phận A1", "unit", 2, 1),
        ("Phòng B", "unit", 1, 1)]
    assert rows(breakdowns["procedure"]) == [("Cấp giấy phép A", 3, D("62.50")),
                                             ("Cấp giấy phép B", 1, D("50.00")),
                                             ("No procedure named", 1, None)]
    # Bình has a single response: hidden below MIN_GROUP_SIZE (2 in this test). A pool of
    # Bình alone would show Bình's figures, so An joins it (tests/test_reports_small_groups.py).
    assert rows(breakdowns["officer"]) == [
        ("Other officers (fewer than 2 responses each)", 4, D("60.00")),
        ("No officer named", 1, None)]
    assert breakdowns["officer"].hidden_groups == 2
    assert rows(breakdowns["channel"]) == [("Kiosk at the counter", 1, D("50.00")),
                                           ("Paper form", 1, D("50.00")),
                                           ("Website", 3, D("66.67"))]
    # r2 at 00:30 on 1 October local time belongs to October, not September.
    assert [(row.label, row.responses, pct(row.percent_satisfied)) for row in report.trend] == [
        ("09/2025", 1, D("66.67")), ("10/2025", 2, D("50.00")), ("11/2025", 2, D("66.67"))]
    assert [c.text[:5] for c in report.comments] == ["=HYPE", "Cán b"]


def test_whole_campaign_figures(data):
    report = build_report(ReportFilters(campaign=data["campaign"]))
    assert report.filters.uses_tallies
    check_whole_campaign(report)


def test_raw_answers_give_the_same_figures_as_the_tallies(data):
    check_whole_campaign(build_report(ReportFilters(campaign=data["campaign"], raw=True)))


def test_rebuilt_tallies_give_the_same_figures(data):
    rebuild_tallies()
    check_whole_campaign(build_report(ReportFilters(campaign=data["campaign"])))


def test_pooled_aggregation_is_a_campaign_choice(data):
    campaign = data["campaign"]
    campaign.aggregation = Aggregation.POOLED
    campaign.save()
    report = build_report(ReportFilters(campaign=campaign))
    # F1 pooled: (2 + 3) satisfied / (4 + 3) applicable = 71.428…%
    assert [pct(f.index) for f in report.factors] == [D("71.43"), D("33.33")]
    assert pct(report.overall_index) == D("52.38")


def test_without_dossier_counts_decision_766_uses_the_responses(data):
    DossierCount.objects.all().delete()
    report = build_report(ReportFilters(campaign=data["campaign"]))
    assert report.dossiers is None
    assert pct(report.d766_ratio) == D("40.00")  # (5 − 3) / 5


def filters_from(data, **params):
    form = ReportFilterForm({"campaign": data["campaign"].pk, **params})
    assert form.is_valid(), form.errors
    return form.filters()


def test_quarter_and_unit_with_its_sub_units(data):
    filters = filters_from(data, period="quarter", year=2025, number=4, unit=data["unit_a"].pk)
    assert (filters.start, filters.end) == (datetime.date(2025, 10, 1),
                                            datetime.date(2025, 12, 31))
    report = build_report(filters)
    assert report.responses == 2  # r2 (sub-unit A1, 00:30 on 1 Oct) and r5
    q = by_code(report)
    assert [pct(q[c].percent_satisfied) for c in "123"] == [D("50.00"), D("100.00"),
                                                            D("50.00")]
    assert [pct(f.index) for f in report.factors] == [D("75.00"), D("50.00")]
    assert pct(report.overall_index) == D("62.50")
    assert report.dossiers is None  # the typed-in count spans Sep–Nov, not wholly in Q4
    assert pct(report.d766_ratio) == D("0.00")  # both rated something dissatisfied

    q3 = build_report(filters_from(data, period="quarter", year=2025, number=3))
    assert q3.responses == 1  # only r1; r2's UTC date (30 Sep) does not pull it into Q3


def test_an_index_without_data_is_empty_not_zero(data):
    report = build_report(filters_from(data, unit=data["root"].pk, channel="website",
                                       period="month", year=2025, number=11))
    # r4 (all "not applicable") and r5; r4 adds nothing to any denominator.
    assert report.responses == 2
    filters = filters_from(data, period="custom", date_from="2025-11-01",
                           date_to="2025-11-10")
    report = build_report(filters)
    assert report.responses == 1
    assert all(q.percent_satisfied is None for q in report.factors[0].questions)
    assert [f.index for f in report.factors] == [None, None]
    assert report.overall_index is None


def test_procedure_and_officer_filters(data):
    report = build_report(filters_from(data, procedure=data["proc_b"].pk))
    assert not report.filters.uses_tallies
    assert report.responses == 1
    assert by_code(report)["1"].counts == {2: 1}
    report = build_report(filters_from(data, officer=data["an"].pk, channel="website"))
    assert report.responses == 2  # r1, r5
    assert pct(by_code(report)["3"].percent_satisfied) == D("50.00")


def test_targets_per_unit(data):
    campaign = data["campaign"]
    campaign.target_dossier_share = D("30")
    campaign.save()
    lines = {line.unit.code: line for line in target_progress(campaign)}
    assert (lines["so-khcn"].responses, pct(lines["so-khcn"].dossier_share)) == (5, D("25.00"))
    assert not lines["so-khcn"].met  # 5 ≥ 3 responses, but 25% < 30% of dossiers
    assert (lines["phong-a"].responses, pct(lines["phong-a"].dossier_share)) == (3, D("30.00"))
    assert lines["phong-a"].met
    assert lines["phong-b"].responses == 1 and not lines["phong-b"].met


def sheet(workbook, title):
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def test_xlsx_export_has_the_same_figures(data):
    stream = io.BytesIO()
    write_xlsx(stream, ReportFilters(campaign=data["campaign"]))
    workbook = load_workbook(io.BytesIO(stream.getvalue()))
    summary = dict(sheet(workbook, "Summary")[1:])
    assert summary["Responses"] == 5
    # Percentages are percentage cells: 54.17 % is stored as 0.5417, shown "54.17%".
    assert summary["Overall index (%)"] == 0.5417
    assert summary["Decision 766 ratio (%)"] == 0.85
    assert summary["Dissatisfied responses"] == 3
    questions = sheet(workbook, "Questions")
    header = questions[0]
    assert header[:7] == ["Code", "Question", "Factor", "N (applicable)", "Satisfied answers",
                          "% satisfied", "Mean"]
    by_q = {row[0]: dict(zip(header, row, strict=True)) for row in questions[1:]}
    q1 = by_q["1"]
    assert (q1["N (applicable)"], q1["Satisfied answers"], q1["% satisfied"]) == (4, 2, 0.5)
    assert by_q["1"]["Very dissatisfied"] == 1 and by_q["1"]["Neutral"] == 0
    assert by_q["1"]["Not applicable / no answer"] == 1
    assert by_q["2"]["% satisfied"] == 1 and by_q["3"]["% satisfied"] == 0.3333
    assert by_q["E1"]["Mean"] == 2.4 and by_q["E1"]["% satisfied"] is None
    assert sheet(workbook, "Factors")[1:] == [["F1", "Tiếp cận", 0.75], ["F2", "Kết quả", 0.3333]]
    # Each group's own factor indices, overall index and Decision 766 ratio.
    assert sheet(workbook, "By unit") == [
        ["Group", "Responses", "F1", "F2", "Overall index", "Decision 766 ratio"],
        ["Sở Khoa học và Công nghệ (own responses)", 1, None, None, None, 1],
        ["Sở Khoa học và Công nghệ (with sub-units)", 5, 0.75, 0.3333, 0.5417, 0.4],
        ["\u2003Phòng A (own responses)", 2, 0.75, 0.5, 0.625, 0.5],
        ["\u2003Phòng A (with sub-units)", 3, 0.8333, 0.3333, 0.5833, 0.3333],
        ["\u2003\u2003Bộ phận A1", 1, 1, 0, 0.5, 0],
        ["\u2003Phòng B", 1, 0.5, None, 0.5, 0]]
    assert sheet(workbook, "By procedure")[1:] == [
        ["Cấp giấy phép A", 3, 0.8333, 0.3333, 0.5833, 0.3333],
        ["Cấp giấy phép B", 1, 0.5, None, 0.5, 0], ["No procedure named", 1, None, None, None, 1]]
    assert sheet(workbook, "By field")[1:] == [
        ["Đất đai", 3, 0.8333, 0.3333, 0.5833, 0.3333],
        ["Hộ tịch", 1, 0.5, None, 0.5, 0], ["No field", 1, None, None, None, 1]]
    assert sheet(workbook, "By officer")[1:] == [
        ["Other officers (fewer than 2 responses each): 2 officers", 4, 0.75, 0.3333, 0.5417,
         0.25],
        ["No officer named", 1, None, None, None, 1]]
    assert sheet(workbook, "By channel")[1:] == [
        ["Kiosk at the counter", 1, 0.5, None, 0.5, 0], ["Paper form", 1, 1, 0, 0.5, 0],
        ["Website", 3, 0.75, 0.5, 0.625, 0.6667]]
    assert sheet(workbook, "Trend by month")[1:] == [
        ["09/2025", 1, 1, 0, 0.5, 1], ["10/2025", 2, 0.75, 0, 0.375, 0],
        ["11/2025", 2, 0.5, 1, 0.75, 0.5]]
    assert [row[1:] for row in sheet(workbook, "Expectations")[1:]] == [
        ["E1", "Thái độ phục vụ", 5, 2.4], ["E2", "Chuyển đổi số", 4, 2]]
    assert sheet(workbook, "Targets")[1:] == [
        ["Sở Khoa học và Công nghệ", "Whole campaign", 5, 3, 20, 0.25, None, 8, 0.625, None,
         "met", None],
        ["Phòng A", "Whole campaign", 3, 3, 10, 0.3, None, 4, 0.75, None, "met", None],
        ["Phòng B", "Whole campaign", 1, 3, 10, 0.1, None, 4, 0.25, None, "not yet",
         "Responses: 2 more needed (1 of 3)"]]
    # Formatted: frozen header rows, percentage cells, widths.
    by_unit = workbook["By unit"]
    assert by_unit.freeze_panes == "A2"
    assert by_unit["E3"].number_format == "0.00%"
    assert by_unit.column_dimensions["A"].width > 40

    responses = sheet(workbook, "Responses")
    header = responses[0]
    assert header[:3] == ["uid", "submitted_at", "channel"]
    assert "email" not in header  # personal data only with view_personal_data
    table = [dict(zip(header, row, strict=True)) for row in responses[1:]]
    assert len(table) == 5
    r2 = next(row for row in table if row["channel"] == "paper")
    assert r2["submitted_at"] == datetime.datetime(2025, 10, 1, 0, 30)  # local time
    assert (r2["unit_code"], r2["officer"], r2["procedure_code"]) == (
        "bo-phan-a1", "Other officers (fewer than 2 responses each)", "PA")
    assert (r2["Q1"], r2["Q1 (label)"], r2["Q2"], r2["Q3"]) == (4, "Satisfied", "na", 2)
    assert r2["uid"] == str(data["responses"][1].uid)
    comments = sheet(workbook, "Comments")
    assert len(comments) == 3  # header + the two relevant ones, not the spam
    assert {row[3] for row in comments[1:]} == {
        "Cán bộ rất nhiệt tình",
        "'=HYPERLINK(\"http://x\") thủ tục chậm",  # neutralised: opens as text, not a formula
    }


def test_rescoring_in_sql_matches_the_scores_given_on_submission(data):
    from wagtail_satisfaction.models import Response
    from wagtail_satisfaction.reports.rollup import rescore_responses

    fields = ["pk", "index_applicable", "index_satisfied", "points", "dissatisfied"]
    given = list(Response.objects.order_by("pk").values_list(*fields[1:]))
    # Counted by hand from the table in build_hand_dataset: a 1 or 2 is dissatisfied.
    assert given == [(3, 2, None, False), (2, 1, None, True), (2, 1, None, True),
                     (0, 0, None, False), (3, 2, None, True)]
    Response.objects.update(index_applicable=0, index_satisfied=0, dissatisfied=False)
    rescore_responses()
    assert list(Response.objects.order_by("pk").values_list(*fields[1:])) == given


def test_rescoring_in_sql_counts_tthc_points_and_a_zero_as_dissatisfied():
    from tests.factories import make_campaign, tthc
    from tests.reports_factories import local, respond
    from wagtail_satisfaction.models import Response
    from wagtail_satisfaction.reports.rollup import rescore_responses

    campaign = make_campaign(questionnaire=tthc())
    everything = {str(n): 2 for n in range(1, 10)}
    respond(campaign, local(2025, 3, 1), {**everything, "1": 1})  # 17 points
    respond(campaign, local(2025, 3, 2), {str(n): 1 for n in range(1, 10)})  # 9 points
    respond(campaign, local(2025, 4, 2), {**everything, "7": 0})  # 16 points, one 0
    Response.objects.update(points=None, dissatisfied=False, index_applicable=5)
    rescore_responses()
    assert list(Response.objects.order_by("pk").values_list(
        "points", "dissatisfied", "index_applicable")) == [(17, False, 0), (9, False, 0),
                                                           (16, True, 0)]


def test_dossier_counts_are_imported_all_or_nothing(data):
    from wagtail_satisfaction.imports import read_dataset
    from wagtail_satisfaction.reports.imports import import_dossier_counts

    good = read_dataset(b"unit_code,from,to,dossiers,forms_handed_out\n"
                        b"phong-a,2025-09-01,2025-11-30,12,6\n"
                        b"phong-b,2025-10-01,2025-10-31,7,\n", "counts.csv")
    assert import_dossier_counts(good).errors == []
    assert DossierCount.objects.get(unit=data["unit_a"]).dossiers == 12  # updated, not added
    assert DossierCount.objects.count() == 3
    bad = read_dataset(b"unit_code,from,to,dossiers,forms_handed_out\n"
                       b"phong-b,2025-11-01,2025-11-30,5,\n"
                       b"khong-co,2025-11-01,2025-11-30,5,\n", "counts.csv")
    errors = import_dossier_counts(bad).errors
    assert [row for row, _message in errors] == [3]  # spreadsheet row: header is row 1
    assert DossierCount.objects.count() == 3


def test_tthc_points_total_and_band():
    from tests.factories import make_campaign, tthc
    from tests.reports_factories import local, respond

    campaign = make_campaign(questionnaire=tthc())
    everything = {str(n): 2 for n in range(1, 10)}
    respond(campaign, local(2025, 3, 1), {**everything, "1": 1})  # 17 points
    respond(campaign, local(2025, 3, 2), {str(n): 1 for n in range(1, 10)})  # 9 points
    respond(campaign, local(2025, 4, 2), {**everything, "7": 0})  # 16, officer "harassing"
    report = build_report(ReportFilters(campaign=campaign))
    means = {q.question.code: q.mean for q in report.indicators}
    assert means["1"] == Fraction(4, 3) and means["7"] == 1 and means["2"] == Fraction(5, 3)
    assert report.tthc_total == 14 and report.tthc_maximum == 18  # 4/3 + 1 + 7 × 5/3
    assert report.tthc_band == "Tốt"  # 12 ≤ total ≤ 15
    assert report.factors == [] and report.overall_index is None
    assert report.totals.dissatisfied == 1  # the 0-point answer
    assert pct(report.d766_ratio) == D("66.67")
    assert [(r.label, r.mean_points) for r in report.trend] == [("03/2025", 13),
                                                               ("04/2025", 16)]
    stream = io.BytesIO()
    write_xlsx(stream, ReportFilters(campaign=campaign))
    summary = dict(sheet(load_workbook(io.BytesIO(stream.getvalue())), "Summary")[1:])
    assert (summary["TTHC total points"], summary["TTHC maximum"], summary["TTHC band"]) == (
        14, 18, "Tốt")


def test_tthc_band_edges(settings):
    from wagtail_satisfaction.reports.stats import band_for

    assert [band_for(Fraction(x)) for x in (16, 15, 12, Fraction(1199, 100), 9, 6, 5)] == [
        "Xuất sắc", "Tốt", "Tốt", "Khá", "Khá", "Trung bình", "Yếu"]
    assert band_for(None) is None


def test_round_filter_and_targets_per_round(data):
    from wagtail_satisfaction.models import Round

    campaign = data["campaign"]
    round_1 = Round.objects.create(campaign=campaign, name="Đợt 1",
                                   starts_on=datetime.date(2025, 9, 1),
                                   ends_on=datetime.date(2025, 10, 15))
    report = build_report(filters_from(data, round=round_1.pk))
    assert report.responses == 2  # r1 and r2 (00:30 on 1 October)
    with_quarter = build_report(filters_from(data, round=round_1.pk, period="quarter",
                                             year=2025, number=4))
    assert with_quarter.responses == 1  # the round ∩ Q4: r2 only
    lines = [(line.unit.code, line.period, line.responses, line.met)
             for line in target_progress(campaign)]
    assert ("so-khcn", "Đợt 1", 2, False) in lines  # 2 < 3 responses
    assert ("so-khcn", "", 5, True) in lines  # whole campaign


def test_a_round_of_another_campaign_is_refused(data):
    from tests.factories import make_campaign
    from wagtail_satisfaction.models import Round

    other = make_campaign()
    round_ = Round.objects.create(campaign=other, name="Đợt 1",
                                  starts_on=datetime.date(2025, 9, 1),
                                  ends_on=datetime.date(2025, 10, 15))
    form = ReportFilterForm({"campaign": data["campaign"].pk, "round": round_.pk})
    assert not form.is_valid() and "round" in form.errors


def test_raw_answers_count_a_value_the_tallies_have_no_column_for(data):
    # Raw answers are counted per question in the tallies' columns (0-5, not applicable);
    # a value outside them (written by hand in the database) is still counted as itself.
    from wagtail_satisfaction.models import Answer

    answer = Answer.objects.filter(response__campaign=data["campaign"],
                                   value__isnull=False).order_by("pk").first()
    before = build_report(ReportFilters(campaign=data["campaign"], raw=True))
    counts = next(q.counts for q in before.questions if q.question.pk == answer.question_id)
    Answer.objects.filter(pk=answer.pk).update(value=7)
    after = build_report(ReportFilters(campaign=data["campaign"], raw=True))
    question = next(q for q in after.questions if q.question.pk == answer.question_id)
    expected = {**counts, answer.value: counts[answer.value] - 1, 7: 1}
    assert {k: v for k, v in question.counts.items() if v} == {
        k: v for k, v in expected.items() if v}
