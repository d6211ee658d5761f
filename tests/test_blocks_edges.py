"""The blocks an editor places on a page: a results period that names no real month, quarter or
half-year is refused on the field to correct; previews work with and without data."""

import pytest
from django.utils import translation
from wagtail.blocks.struct_block import StructBlockValidationError

from tests.factories import make_campaign
from wagtail_satisfaction.blocks import BannerBlock, ResultsBlock, SurveyBlock

pytestmark = pytest.mark.django_db


def refused_fields(campaign, **chosen):
    block = ResultsBlock()
    value = block.to_python({"campaign": campaign.pk, "comments": 0, **chosen})
    with translation.override("en"):
        try:
            block.clean(value)
        except StructBlockValidationError as error:
            return {name: " ".join(e.messages) for name, e in error.block_errors.items()}
    return {}


@pytest.mark.parametrize("chosen, refused", [
    ({"period": "quarter", "year": 2025, "number": 3}, {}),
    ({"period": "quarter", "year": 2025, "number": 5},
     {"number": "There is no number 5 in this period."}),
    ({"period": "month", "number": 2}, {"year": "Choose the year."}),
    ({"period": "half", "year": 2025}, {"number": "Choose which (1–2)."}),
    ({"period": "year"}, {"year": "Choose the year."}),  # a year needs no "which"
    ({"period": "year", "year": 2025}, {}),
    ({"period": "month", "year": 2025, "number": 12}, {}),
    ({"period": "", "number": 9}, {}),  # the whole campaign: year and number unused
])
def test_a_results_period_must_name_a_real_month_quarter_or_half_year(chosen, refused):
    assert refused_fields(make_campaign(), **chosen) == refused


def test_previews_show_the_latest_campaign_or_nothing_without_data():
    from wagtail_satisfaction.models import Campaign

    assert ResultsBlock().get_preview_value()["campaign"] is None
    assert BannerBlock().get_preview_value()["banner"] is None
    survey = SurveyBlock()
    empty = survey.get_preview_value()
    assert empty["campaign"] is None
    assert "action_url" not in survey.get_context(empty)  # no form without a campaign
    make_campaign(title="Cũ")
    latest = make_campaign(title="Mới nhất")
    Campaign.objects.filter(pk=latest.pk).update(opens_on=latest.opens_on.replace(year=2099))
    assert ResultsBlock().get_preview_value()["campaign"].title == "Mới nhất"
    assert survey.get_preview_value()["campaign"].title == "Mới nhất"
