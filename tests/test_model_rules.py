"""Rules an editor meets in the admin forms: dates in the wrong order and a unit placed inside
itself are refused on the field to correct; a spreadsheet of paper forms without its key column
is refused before anything is entered."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import make_campaign, make_unit, make_user
from wagtail_satisfaction.models import Round

pytestmark = pytest.mark.django_db


def refused(instance):
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            instance.clean()
        return {name: " ".join(messages) for name, messages in error.value.message_dict.items()}


def test_a_campaign_cannot_close_before_it_opens():
    campaign = make_campaign()
    campaign.closes_on = campaign.opens_on - datetime.timedelta(days=1)
    assert refused(campaign) == {"closes_on": "The campaign cannot close before it opens."}
    campaign.closes_on = campaign.opens_on  # one day is enough
    campaign.clean()


def test_a_round_cannot_end_before_it_starts():
    round_ = Round(campaign=make_campaign(), name="Đợt 2", starts_on=datetime.date(2025, 9, 2),
                   ends_on=datetime.date(2025, 9, 1))
    assert refused(round_) == {"ends_on": "A round cannot end before it starts."}
    round_.ends_on = round_.starts_on
    round_.clean()


def test_a_unit_cannot_be_placed_inside_itself_or_its_own_sub_unit():
    department = make_unit("Sở Tư pháp", kind="department")
    office = make_unit("Phòng Hộ tịch", parent=department)
    desk = make_unit("Bộ phận Một cửa", parent=office)
    department.parent = desk  # a cycle through two levels
    assert refused(department) == {"parent": "A unit cannot be inside itself."}
    department.parent = department
    assert refused(department) == {"parent": "A unit cannot be inside itself."}
    department.parent = None
    office.parent = None  # moving it to the top is fine
    office.clean()
    desk.parent = department  # and straight under the department
    desk.clean()


def test_a_spreadsheet_of_paper_forms_needs_its_form_number_column(english):
    from wagtail_satisfaction.channels.paper import import_workbook
    from wagtail_satisfaction.imports import read_dataset
    from wagtail_satisfaction.models import Response

    campaign = make_campaign()
    result = import_workbook(campaign, read_dataset(b"batch,channel\nL1,post\n", "f.csv"),
                             make_user("nhap_lieu"))
    assert result.errors == [(1, ["Missing column: form_number"])] and result.stored == 0
    assert Response.objects.count() == 0
