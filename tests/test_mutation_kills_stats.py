"""The report's figures (reports/stats.py) at the edges mutation testing found unpinned
(scripts/mutation.sh, issue 10)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from tests.factories import make_campaign
from tests.reports_factories import local, make_small_questionnaire, respond
from wagtail_satisfaction.models import Factor, Question, Questionnaire
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.stats import build_report, round_percent, share


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_percentage_is_rounded_half_up_to_two_decimals_only_when_shown():
    """1 of 8 satisfied is 12.5% exactly; shown with two decimals, 12.50; 1 of 3 shows
    33.33 and 2 of 3 66.67 (half-up, never truncated); nothing to divide by has no value."""
    assert share(1, 8) == Fraction(25, 2)
    assert share(1, 3, places=2) == Decimal("33.33")
    assert share(2, 3, places=2) == Decimal("66.67")
    # Exactly half-way: 1 of 800 is 0.125%, shown 0.13 (half-up), not 0.12 (half-even).
    assert share(1, 800, places=2) == Decimal("0.13")
    assert share(1, 8, places=0) == Decimal("13")
    assert round_percent(Fraction(1, 8), places=2) == Decimal("0.13")
    assert round_percent(Fraction(1, 8), places=1) == Decimal("0.1")
    assert share(0, 0) is None and share(3, 0, places=2) is None
    assert round_percent(None) is None


def codes(report):
    return [stats.question.code for stats in report.questions]


@pytest.mark.django_db
def test_the_report_lists_questions_by_factor_then_by_their_order_in_it():
    """However the questions were created, the report lists them as the questionnaire
    orders them: factor by factor, each factor's questions in their own order."""
    questionnaire = Questionnaire.objects.create(name="Phiếu xếp thứ tự", code="thu-tu",
                                                 kind="custom")
    second = Factor.objects.create(questionnaire=questionnaire, sort_order=1, code="F2",
                                   title="Kết quả")
    first = Factor.objects.create(questionnaire=questionnaire, sort_order=0, code="F1",
                                  title="Tiếp cận")
    Question.objects.create(factor=second, sort_order=0, code="C", text="Đúng hẹn")
    Question.objects.create(factor=first, sort_order=1, code="B", text="Sạch sẽ")
    Question.objects.create(factor=first, sort_order=0, code="A", text="Dễ hiểu")
    campaign = make_campaign(questionnaire=questionnaire)
    assert codes(build_report(ReportFilters(campaign=campaign))) == ["A", "B", "C"]


@pytest.mark.django_db
def test_a_choice_nobody_picked_shows_no_answers_and_zero_percent():
    campaign = make_campaign(questionnaire=make_small_questionnaire())
    respond(campaign, local(2025, 10, 6), {"1": 5, "2": 4, "3": 4})
    respond(campaign, local(2025, 10, 7), {"1": 5, "2": 2, "3": 4})
    report = build_report(ReportFilters(campaign=campaign))
    first = next(stats for stats in report.questions if stats.question.code == "1")
    rows = {label: (count, share_) for label, count, share_ in first.distribution()}
    counts = sorted(count for count, _share in rows.values())
    assert counts[-1] == 2 and sum(counts) == 2  # both answers on one choice
    assert sorted(share_ for _count, share_ in rows.values())[-1] == 100
    assert [share_ for count, share_ in rows.values() if count == 0] == [0] * (len(rows) - 1)


@pytest.mark.django_db
def test_a_tthc_report_without_responses_has_no_total_points():
    """No response, no indicator mean: the TTHC total is "–" (None), not 0 of 18."""
    from tests.factories import tthc

    report = build_report(ReportFilters(campaign=make_campaign(questionnaire=tthc())))
    assert report.responses == 0 and report.indicators
    assert report.tthc_total is None and report.tthc_band is None


@pytest.mark.django_db
def test_the_root_units_row_with_its_sub_units_has_the_reports_own_figures(settings):
    """The unit breakdown's first "with sub-units" row (the report's unit) holds every
    response: its indices are the report's, whatever the sub-units' answers; the sub-units
    follow by name."""
    from tests.factories import make_unit

    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1
    campaign = make_campaign(questionnaire=make_small_questionnaire())
    b = make_unit("Phòng B", parent=campaign.unit, code="phong-b")  # made first
    a = make_unit("Phòng A", parent=campaign.unit, code="phong-a")
    # The same answers in both sub-units (5 to question 1, 4 to question 3) add up.
    respond(campaign, local(2025, 10, 6), {"1": 5, "2": 4, "3": 4}, unit=a)
    respond(campaign, local(2025, 10, 7), {"1": 5, "2": "na", "3": "na"}, unit=b)
    respond(campaign, local(2025, 10, 8), {"1": 1, "2": "na", "3": 4}, unit=b)
    report = build_report(ReportFilters(campaign=campaign))
    unit_rows = next(b for b in report.breakdowns if b.key == "unit").rows
    assert [(row.label, row.depth) for row in unit_rows] == [
        (str(campaign.unit), 0), ("Phòng A", 1), ("Phòng B", 1)]  # sub-units by name
    root = next(row for row in unit_rows if row.kind == "tree" and row.depth == 0)
    assert root.responses == 3
    assert root.index == report.overall_index is not None
    # Question 1: 2 satisfied of 3, question 2: 1 of 1 (factor 1: 250/3); question 3: 2 of 2.
    assert report.overall_index == (Fraction(250, 3) + 100) / 2
    assert [root.factor_index(f.factor) for f in report.factors] == [
        f.index for f in report.factors]


@pytest.mark.django_db
def test_the_month_of_a_response_is_the_report_zones_even_on_a_utc_server(settings):
    """A response at 00:30 on 1 October in Vietnam (17:30 on 30 September UTC), read from
    the raw answers on a server whose own time zone is UTC: the trend puts it in October."""
    settings.TIME_ZONE = "UTC"
    settings.WAGTAIL_SATISFACTION_REPORT_TIME_ZONE = "Asia/Ho_Chi_Minh"
    campaign = make_campaign(questionnaire=make_small_questionnaire())
    respond(campaign, local(2025, 10, 1, 0, 30), {"1": 5, "2": 4, "3": 4})
    report = build_report(ReportFilters(campaign=campaign, raw=True))
    assert [(row.label, row.responses) for row in report.trend] == [("10/2025", 1)]


@pytest.mark.django_db
def test_a_response_that_answered_no_optional_question_is_counted_in_every_breakdown():
    """A questionnaire of optional questions only: a visitor may send it without answering
    any. The report counts that response in its unit, channel and month rows, which have no
    index (nothing to score) rather than failing."""
    questionnaire = Questionnaire.objects.create(name="Phiếu tuỳ chọn", code="tuy-chon",
                                                 kind="custom")
    factor = Factor.objects.create(questionnaire=questionnaire, sort_order=0, code="F",
                                   title="Góp ý")
    Question.objects.create(factor=factor, sort_order=0, code="1", text="Hài lòng",
                            required=False)
    campaign = make_campaign(questionnaire=questionnaire)
    respond(campaign, local(2025, 10, 6), {})
    report = build_report(ReportFilters(campaign=campaign))
    assert report.responses == 1 and report.overall_index is None
    channel = next(b for b in report.breakdowns if b.key == "channel")
    assert [(row.responses, row.index) for row in channel.rows] == [(1, None)]
    assert [(row.responses, row.index) for row in report.trend] == [(1, None)]


@pytest.mark.postgres
@pytest.mark.django_db
def test_two_sub_units_of_the_same_name_keep_their_order_after_one_is_edited(settings):
    """Two wards' offices may have the same name. The unit breakdown lists sub-units by
    name, and two of the same name in the order they were made (by id), however they were
    edited since and however their tree paths sort: on PostgreSQL an edited row is stored
    anew after the others, and the path "…/100000/" sorts before "…/99999/", so rows read
    as stored or by path would swap the two at the next report."""
    from tests.factories import make_unit

    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1
    campaign = make_campaign(questionnaire=make_small_questionnaire())
    first = make_unit("Bộ phận một cửa", parent=campaign.unit, code="mot-cua-1", id=99999)
    second = make_unit("Bộ phận một cửa", parent=campaign.unit, code="mot-cua-2", id=100000)
    respond(campaign, local(2025, 10, 6), {"1": 5, "2": 4, "3": 4}, unit=first)
    for day in (7, 8):
        respond(campaign, local(2025, 10, day), {"1": 2, "2": 4, "3": 4}, unit=second)
    first.code = "mot-cua-xa-a"  # edited after both were made
    first.save()
    report = build_report(ReportFilters(campaign=campaign))
    unit_rows = next(b for b in report.breakdowns if b.key == "unit").rows
    assert [(row.label, row.depth, row.responses) for row in unit_rows] == [
        (str(campaign.unit), 0, 3), ("Bộ phận một cửa", 1, 1), ("Bộ phận một cửa", 1, 2)]


@pytest.mark.django_db
def test_raw_answers_count_every_value_the_tallies_have_no_column_for():
    """Values outside the tallies' columns (0-5, not applicable: written by hand in the
    database) are each counted as themselves, in every question, however many there are."""
    from wagtail_satisfaction.models import Answer

    campaign = make_campaign(questionnaire=make_small_questionnaire())
    for day in (1, 2, 3):
        respond(campaign, local(2025, 10, day), {"1": 5, "2": 4, "3": 3})
    answers = Answer.objects.filter(response__campaign=campaign).order_by("pk")
    by_code = {}
    for answer in answers:
        by_code.setdefault(answer.question.code, []).append(answer.pk)
    Answer.objects.filter(pk=by_code["1"][0]).update(value=7)
    Answer.objects.filter(pk=by_code["1"][1]).update(value=8)
    Answer.objects.filter(pk=by_code["3"][2]).update(value=9)
    report = build_report(ReportFilters(campaign=campaign, raw=True))
    counts = {q.question.code: {k: v for k, v in q.counts.items() if v}
              for q in report.questions if q.question.code in ("1", "2", "3")}
    assert counts == {"1": {7: 1, 8: 1, 5: 1}, "2": {4: 3}, "3": {3: 2, 9: 1}}


@pytest.mark.django_db
def test_the_report_shows_the_latest_comments_up_to_its_limit_and_counts_them_all(
        django_assert_max_num_queries):
    """Newest first, at most ``comment_limit`` of them, with the count of all; none: 0.
    Each comment's unit comes with it (no query per comment)."""
    from tests.factories import make_unit
    from wagtail_satisfaction.models import Comment

    campaign = make_campaign(questionnaire=make_small_questionnaire())
    filters = ReportFilters(campaign=campaign)
    empty = build_report(filters, comment_limit=2)
    assert (empty.comments, empty.comment_count) == ([], 0)
    units = [make_unit(f"Phòng {n}", parent=campaign.unit, code=f"phong-{n}")
             for n in range(5)]
    for day, unit in enumerate(units, 1):
        respond(campaign, local(2025, 10, day), {"1": 5, "2": 5, "3": 5}, unit=unit,
                comment=f"Góp ý ngày {day}")
    Comment.objects.filter(campaign=campaign).update(state="relevant")
    report = build_report(filters, comment_limit=2)
    assert [c.text for c in report.comments] == ["Góp ý ngày 5", "Góp ý ngày 4"]
    assert report.comment_count == 5
    assert [c.text for c in build_report(filters).comments][-1] == "Góp ý ngày 1"
    comments = build_report(filters).comments
    with django_assert_max_num_queries(0):
        assert [str(c.response.unit) for c in comments] == [
            f"Phòng {n}" for n in (4, 3, 2, 1, 0)]


@pytest.mark.django_db
def test_expectations_are_ranked_by_mean_and_one_without_answers_comes_last():
    campaign = make_campaign(questionnaire=make_small_questionnaire())
    respond(campaign, local(2025, 10, 1), {"1": 5, "2": 5, "3": 5, "E2": 1})
    respond(campaign, local(2025, 10, 2), {"1": 4, "2": 5, "3": 5, "E2": 2})
    report = build_report(ReportFilters(campaign=campaign))
    assert [(q.question.code, q.mean) for q in report.expectations] == [
        ("E2", Fraction(3, 2)), ("E1", None)]


@pytest.mark.django_db
def test_each_breakdown_has_its_own_anchor_on_the_report_page(client, settings):
    from django.urls import reverse
    from lxml import html as lxml_html

    from tests.reports_factories import build_hand_dataset
    from tests.test_reports_views import iso_secretary

    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1
    campaign = build_hand_dataset()["campaign"]
    client.force_login(iso_secretary())
    page = client.get(reverse("wagtail_satisfaction_reports:report"), {"campaign": campaign.pk})
    ids = lxml_html.fromstring(page.content).xpath("//section[starts-with(@id, 'by-')]/@id")
    assert ids == ["by-unit", "by-procedure", "by-sector", "by-officer", "by-channel"]
