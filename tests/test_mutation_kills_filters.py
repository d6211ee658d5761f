"""The report's filters (reports/filters.py) at the edges mutation testing found unpinned
(scripts/mutation.sh, issue 10): the dates a chosen period stands for, the heading's words
for an open-ended period, and the channel and procedure filters on the figures and comments.

The hand dataset (tests/reports_factories.py): five responses, r1 (website, procedure A),
r2 (paper, A), r3 (kiosk, B), r4 (website, none), r5 (website, A); the comments of r1 and r5
are relevant.
"""

import datetime

import pytest
from django.utils import translation

from tests.reports_factories import build_hand_dataset
from wagtail_satisfaction.reports.filters import ReportFilterForm, ReportFilters
from wagtail_satisfaction.reports.stats import build_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(settings):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1
    return build_hand_dataset()


def heading(data, **params):
    """The words the report's heading gives for the filter bar's choices."""
    with translation.override("en"):
        form = ReportFilterForm({"campaign": data["campaign"].pk, **params})
        assert form.is_valid(), form.errors
        return form.filters().describe()


@pytest.mark.parametrize("params, dates", [
    ({"period": "month", "year": 2024, "number": 2}, "01/02/2024 – 29/02/2024"),
    ({"period": "quarter", "year": 2025, "number": 2}, "01/04/2025 – 30/06/2025"),
    ({"period": "quarter", "year": 2025, "number": 4}, "01/10/2025 – 31/12/2025"),
    ({"period": "half", "year": 2025, "number": 2}, "01/07/2025 – 31/12/2025"),
    ({"period": "year", "year": 2025}, "01/01/2025 – 31/12/2025"),
])
def test_a_chosen_period_is_headed_with_its_first_and_last_day(data, params, dates):
    assert heading(data, **params) == f"{data['campaign']} · {dates}"


def test_a_period_open_at_one_end_is_headed_with_an_ellipsis_at_that_end(data):
    campaign = data["campaign"]
    with translation.override("en"):
        assert ReportFilters(campaign=campaign, start=datetime.date(2025, 10, 1)).describe() \
            == f"{campaign} · 01/10/2025 – …"
        assert ReportFilters(campaign=campaign, end=datetime.date(2025, 10, 31)).describe() \
            == f"{campaign} · … – 31/10/2025"


def test_the_channel_filter_counts_only_that_channels_responses_and_comments(data):
    campaign = data["campaign"]
    counts = {channel: build_report(ReportFilters(campaign=campaign, channel=channel))
              for channel in ("website", "paper", "kiosk")}
    assert {channel: report.responses for channel, report in counts.items()} == {
        "website": 3, "paper": 1, "kiosk": 1}
    assert {channel: report.comment_count for channel, report in counts.items()} == {
        "website": 2, "paper": 0, "kiosk": 0}


def test_the_procedure_filter_keeps_only_that_procedures_comments(data):
    campaign = data["campaign"]
    rated_a = build_report(ReportFilters(campaign=campaign, procedure=data["proc_a"]))
    rated_b = build_report(ReportFilters(campaign=campaign, procedure=data["proc_b"]))
    assert (rated_a.responses, rated_a.comment_count) == (3, 2)
    assert (rated_b.responses, rated_b.comment_count) == (1, 0)
    assert {comment.response_id for comment in rated_a.comments} == {
        data["responses"][0].pk, data["responses"][4].pk}


def test_custom_dates_and_a_round_narrow_the_heading_and_the_count(data):
    """Custom dates from the filter bar are the report's period; a round narrows any period
    to its own dates. r2 was sent at 00:30 on 1 October local time, r3 on 20 October."""
    from wagtail_satisfaction.models import Round

    campaign = data["campaign"]
    assert heading(data, period="custom", date_from="2025-10-01", date_to="2025-10-31") \
        == f"{campaign} · 01/10/2025 – 31/10/2025"
    assert heading(data, period="custom", date_from="2025-10-01") \
        == f"{campaign} · 01/10/2025 – …"
    assert heading(data, period="custom", date_to="2025-09-30") \
        == f"{campaign} · … – 30/09/2025"
    form = ReportFilterForm({"campaign": campaign.pk, "period": "custom",
                             "date_from": "2025-10-01", "date_to": "2025-10-31"})
    assert form.is_valid(), form.errors
    assert build_report(form.filters()).responses == 2
    round_ = Round.objects.create(campaign=campaign, name="Đợt 2",
                                  starts_on=datetime.date(2025, 10, 10),
                                  ends_on=datetime.date(2025, 11, 30))
    assert heading(data, round=round_.pk) == f"{campaign} · Đợt 2 · 10/10/2025 – 30/11/2025"
    assert heading(data, round=round_.pk, period="quarter", year=2025, number=4) \
        == f"{campaign} · Đợt 2 · 10/10/2025 – 30/11/2025"  # the later start, earlier end
    # A period inside the round keeps its own start or end.
    assert heading(data, round=round_.pk, period="month", year=2025, number=11) \
        == f"{campaign} · Đợt 2 · 01/11/2025 – 30/11/2025"
    assert heading(data, round=round_.pk, period="month", year=2025, number=10) \
        == f"{campaign} · Đợt 2 · 10/10/2025 – 31/10/2025"
    narrowed = ReportFilterForm({"campaign": campaign.pk, "round": round_.pk})
    assert narrowed.is_valid(), narrowed.errors
    assert build_report(narrowed.filters()).responses == 3  # r3, r4, r5


def test_the_filter_bars_procedure_channel_and_a_users_units_reach_the_figures(data):
    from tests.factories import make_user
    from wagtail_satisfaction.models import UnitScope

    def counted(user=None, **params):
        form = ReportFilterForm({"campaign": data["campaign"].pk, **params}, user=user)
        assert form.is_valid(), form.errors
        return build_report(form.filters()).responses

    assert counted(procedure=data["proc_a"].pk) == 3
    assert counted(channel="paper") == 1
    user = make_user("thu_ky_phong_b")
    UnitScope.objects.create(user=user, unit=data["unit_b"])
    assert counted(user=user, unit=data["unit_b"].pk) == 1
    assert counted() == 5
