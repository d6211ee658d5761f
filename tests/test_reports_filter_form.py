"""The report's filter bar: a period that names nothing real is refused on the field to correct,
with a message, never read as a silent default; the chosen filters are described in words."""

import datetime

import pytest
from django.utils import translation

from tests.factories import make_user
from tests.reports_factories import build_hand_dataset
from wagtail_satisfaction.models import Round, Sector, UnitScope
from wagtail_satisfaction.reports.filters import ReportFilterForm, ReportFilters
from wagtail_satisfaction.reports.stats import build_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(settings):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1
    return build_hand_dataset()


def errors(data, user=None, **params):
    with translation.override("en"):
        form = ReportFilterForm({"campaign": data["campaign"].pk, **params}, user=user)
        form.is_valid()
        return {name: " ".join(messages) for name, messages in form.errors.items()}


@pytest.mark.parametrize("params, refused", [
    ({"period": "month"}, {"year": "Choose the year.",
                           "number": "Choose which month (1–12)."}),
    ({"period": "quarter", "year": 2025, "number": 5},
     {"number": "There is no quarter number 5."}),
    ({"period": "half", "year": 2025, "number": 3},
     {"number": "There is no half-year number 3."}),
    ({"period": "year", "year": 2025}, {}),  # a year needs no "which"
    ({"period": "custom"}, {"date_from": "Give at least one of the two dates."}),
    ({"period": "custom", "date_from": "2025-10-31", "date_to": "2025-10-01"},
     {"date_to": "The end date is before the start date."}),
    ({"period": "custom", "date_to": "2025-10-01"}, {}),  # one date is enough
    ({"period": "custom", "date_from": "2025-10-01", "date_to": "2025-10-01"}, {}),
])
def test_a_period_that_names_nothing_real_is_refused_on_its_field(data, params, refused):
    assert errors(data, **params) == refused


def test_a_user_bound_to_two_units_below_the_campaign_must_choose_one(data):
    user = make_user("thuky_hai_phong")
    for unit in (data["unit_a"], data["unit_b"]):
        UnitScope.objects.create(user=user, unit=unit)
    assert errors(data, user=user) == {"unit": "Choose one of your units."}
    assert errors(data, user=user, unit=data["unit_b"].pk) == {}


def test_the_sector_filter_counts_only_its_procedures_responses(data):
    land = Sector.objects.get(name="Đất đai")
    form = ReportFilterForm({"campaign": data["campaign"].pk, "sector": land.pk})
    assert form.is_valid(), form.errors
    # Procedure A (the land sector) was rated by r1, r2 and r5 of the hand dataset.
    assert build_report(form.filters()).responses == 3
    assert build_report(ReportFilters(campaign=data["campaign"])).responses == 5


def test_the_filters_are_described_in_words(data):
    campaign = data["campaign"]
    round_ = Round.objects.create(campaign=campaign, name="Đợt 2",
                                  starts_on=datetime.date(2025, 9, 1),
                                  ends_on=datetime.date(2025, 10, 15))
    land = Sector.objects.get(name="Đất đai")
    filters = ReportFilters(campaign=campaign, round=round_, end=datetime.date(2025, 10, 31),
                            unit=data["unit_a"], sector=land, channel="paper")
    with translation.override("en"):
        words = filters.describe()
    assert words == " · ".join([str(campaign), "Đợt 2", "… – 31/10/2025", str(data["unit_a"]),
                                "Đất đai", "Paper form"])
    assert ReportFilters(campaign=campaign).describe() == str(campaign)
