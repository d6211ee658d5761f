"""The report's filters (reports/filters.py) at the edges mutation testing found unpinned
(scripts/mutation.sh, issue 10): the dates a chosen period stands for, the heading's words
for an open-ended period, and the channel and procedure filters on the figures and comments.

The hand dataset (tests/reports_factories.py): five responses, r1 (website, procedure A),
r2 (paper, A), r3 (kiosk, B), r4 (website, none), r5 (website, A); the comments of r1 and r5
are relevant.
"""

import dataclasses
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


def test_a_period_with_a_procedure_counts_the_responses_of_its_local_days_only(data, settings):
    """With a procedure the report reads the responses themselves (not the daily tallies):
    a period is still its first and last local day in Vietnam, on a server whose own time
    zone is UTC, and another survey's responses are never counted. r1 was sent at 10:00 on
    15 September, r2 at 00:30 on 1 October local time (17:30 UTC the day before)."""
    from tests.factories import make_campaign
    from tests.reports_factories import local, respond

    settings.TIME_ZONE = "UTC"
    campaign, proc_a = data["campaign"], data["proc_a"]
    other = make_campaign(unit=data["root"], questionnaire=campaign.questionnaire,
                          opens_on=datetime.date(2025, 9, 1),
                          closes_on=datetime.date(2025, 11, 30))
    respond(other, local(2025, 10, 1, 12), {"1": 1, "2": 1, "3": 1}, unit=data["unit_a"],
            procedure=proc_a, channel="website")

    def counted(first, last):
        filters = ReportFilters(campaign=campaign, procedure=proc_a, start=first, end=last)
        return build_report(filters).responses

    d = datetime.date
    assert counted(d(2025, 9, 15), d(2025, 9, 15)) == 1  # r1, on the period's last day
    assert counted(d(2025, 10, 1), d(2025, 10, 1)) == 1  # r2 only: not r1, r5 nor the other's
    assert counted(d(2025, 9, 16), d(2025, 9, 30)) == 0  # r2 is an October response
    assert counted(d(2025, 10, 1), None) == 2  # r2 and r5
    assert counted(None, d(2025, 9, 30)) == 1  # r1


def test_a_periods_comments_are_those_sent_on_its_local_days(data, settings):
    """The relevant comments of a period: r1's (10:00 on 15 September) on that day only, on
    a server whose own time zone is UTC; r5's (28 November) in November."""
    settings.TIME_ZONE = "UTC"
    campaign = data["campaign"]

    def comments(first, last):
        return build_report(ReportFilters(campaign=campaign, start=first, end=last)
                            ).comment_count

    d = datetime.date
    assert comments(d(2025, 9, 15), d(2025, 9, 15)) == 1
    assert comments(d(2025, 9, 16), d(2025, 11, 27)) == 0
    assert comments(d(2025, 11, 28), None) == 1
    assert comments(None, d(2025, 9, 14)) == 0


def filter_bar_options(page, name):
    """(value, label) of each option of the filter bar's list ``name``."""
    import html
    import re

    content = page.content.decode()
    start = content.index(f'name="{name}"')
    select = content[start:content.index("</select>", start)]
    return [(value, html.unescape(label).strip()) for value, label in
            re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)]


def test_the_filter_bar_lists_each_choice_in_order_with_its_label_and_the_rounds_targets(
        client, data):
    """Each list of the report's filter bar starts with the empty "---------" choice (value
    ""), which keeps the whole campaign; then its choices in their own order (units as the
    tree, a sub-unit made later under its parent) with their labels (a round named with its
    campaign, a procedure with its code). The round's dates are those of its target line."""
    from django.urls import reverse

    from tests.factories import make_unit, make_user
    from wagtail_satisfaction.models import Round

    campaign = data["campaign"]
    make_unit("Tổ C", parent=data["unit_a"], code="to-c")  # made after Phòng B
    Round.objects.create(campaign=campaign, name="Đợt 1", starts_on=datetime.date(2025, 10, 1),
                         ends_on=datetime.date(2025, 10, 31))
    client.force_login(make_user("quan_tri", is_superuser=True))
    url = reverse("wagtail_satisfaction_reports:report")
    with translation.override("en"):
        page = client.get(url, {"campaign": campaign.pk})
    assert page.status_code == 200
    for name in ("campaign", "round", "unit", "sector", "procedure", "officer"):
        options = filter_bar_options(page, name)
        assert options[0] == ("", "---------"), name
        assert all(value for value, _label in options[1:]), name
    labels = {name: [label for _value, label in filter_bar_options(page, name)[1:]]
              for name in ("campaign", "round", "unit", "procedure")}
    assert labels == {
        "campaign": ["Khảo sát 2025"],
        "round": ["Khảo sát 2025 – Đợt 1"],
        "unit": ["Sở Khoa học và Công nghệ", "Phòng A", "Bộ phận A1", "Tổ C", "Phòng B"],
        "procedure": ["PA – Cấp giấy phép A", "PB – Cấp giấy phép B"],
    }
    # The target lines of the whole campaign: the round's (r2 and r3 in October), the whole.
    assert [(line.period, line.responses) for line in page.context["targets"]
            if line.unit == data["root"]] == [("Đợt 1", 2), ("", 5)]
    everything = client.get(url, {"campaign": campaign.pk, "round": "", "unit": "",
                                  "sector": "", "procedure": "", "officer": ""})
    assert everything.context["report"].responses == 5


def test_each_filter_on_the_raw_answers_keeps_the_others(data):
    """With a procedure, field or officer the report reads the responses themselves: each
    filter narrows the others' selection, never widens or replaces it. Another survey has a
    response of the same unit, procedure, officer and channel on 1 October."""
    from tests.factories import make_campaign
    from tests.reports_factories import local, respond
    from wagtail_satisfaction.models import Sector, Unit

    campaign = data["campaign"]
    other = make_campaign(unit=data["root"], questionnaire=campaign.questionnaire,
                          opens_on=datetime.date(2025, 9, 1),
                          closes_on=datetime.date(2025, 11, 30))
    respond(other, local(2025, 10, 1, 12), {"1": 1, "2": 1, "3": 1}, unit=data["unit_a"],
            officer=data["an"], procedure=data["proc_a"], channel="website")
    d = datetime.date
    october = {"start": d(2025, 10, 1), "end": d(2025, 10, 31)}
    autumn = {"start": d(2025, 10, 1), "end": d(2025, 11, 30)}

    def counted(**narrowing):
        return build_report(ReportFilters(campaign=campaign, **narrowing)).responses

    # r2 (Bộ phận A1, inside Phòng A; An; procedure A of Đất đai; paper) is October's.
    assert counted(unit=data["unit_a"], procedure=data["proc_a"], **october) == 1
    assert counted(sector=Sector.objects.get(name="Đất đai"), **october) == 1
    assert counted(officer=data["an"], **october) == 1
    assert counted(procedure=data["proc_a"], **october) == 1
    # Among a user's units (Phòng A alone, not A1): r5 in November.
    assert counted(units=Unit.objects.filter(pk=data["unit_a"].pk), procedure=data["proc_a"],
                   **autumn) == 1
    # Procedure A on the website in October and November: r5 (r2 came on paper).
    assert counted(procedure=data["proc_a"], channel="website", **autumn) == 1
    assert counted(procedure=data["proc_a"], channel="paper", **autumn) == 1


def test_a_round_of_another_campaign_is_refused_on_the_round_field(data):
    from tests.factories import make_campaign
    from wagtail_satisfaction.models import Round

    other = make_campaign(unit=data["root"], questionnaire=data["campaign"].questionnaire)
    foreign = Round.objects.create(campaign=other, name="Đợt A",
                                   starts_on=other.opens_on, ends_on=other.closes_on)
    with translation.override("en"):
        form = ReportFilterForm({"campaign": data["campaign"].pk, "round": foreign.pk})
        assert not form.is_valid()
        assert form.errors == {"round": ["This round belongs to another campaign."]}


def test_a_half_year_without_its_number_is_refused_not_read_as_the_first(data):
    with translation.override("en"):
        form = ReportFilterForm({"campaign": data["campaign"].pk, "period": "half",
                                 "year": 2025})
        assert not form.is_valid()
        assert form.errors == {"number": ["Choose which half-year (1–2)."]}


def test_a_user_of_one_unit_on_a_campaign_above_it_gets_the_report_of_their_unit(data):
    """A secretary of Phòng B reporting on the department's campaign: the report is Phòng
    B's, named so in its heading, with Phòng B's one response (r3)."""
    from tests.factories import make_user
    from wagtail_satisfaction.models import UnitScope

    user = make_user("thu_ky_phong_b")
    UnitScope.objects.create(user=user, unit=data["unit_b"])
    with translation.override("en"):
        form = ReportFilterForm({"campaign": data["campaign"].pk}, user=user)
        assert form.is_valid(), form.errors
        filters = form.filters()
        assert filters.describe() == f"{data['campaign']} · Phòng B"
    assert filters.unit == data["unit_b"]
    assert build_report(filters).responses == 1


def test_the_days_after_the_last_whole_month_count_with_a_procedure_and_an_officer(data):
    """On PostgreSQL a period's whole months are read from the monthly tallies and the days
    around them from the responses themselves (no daily tally knows a procedure and an
    officer together): 1 October to 28 November is October whole, then 1-28 November,
    whose r5 (28 November, An, procedure A) counts as r2 (1 October) does."""
    filters = ReportFilters(campaign=data["campaign"], procedure=data["proc_a"],
                            officer=data["an"], start=datetime.date(2025, 10, 1),
                            end=datetime.date(2025, 11, 28))
    assert build_report(filters).responses == 2
    until_27 = dataclasses.replace(filters, end=datetime.date(2025, 11, 27))
    assert build_report(until_27).responses == 1
