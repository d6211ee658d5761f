"""Units' tree paths: fixed-width steps, so ordering by path lists the tree as it reads."""

import importlib

import pytest
from django.apps import apps

from tests.factories import make_campaign, make_unit
from wagtail_satisfaction.models import Unit
from wagtail_satisfaction.reports.targets import TargetPlan

pytestmark = pytest.mark.django_db


def units_past_a_digit_boundary():
    """A root and, made in this order, sub-units numbered 99 and 100, and a unit 1000
    inside 99: the primary keys cross from two to three and four digits."""
    root = make_unit("Sở Tư pháp", code="so-tu-phap")
    first = Unit.objects.create(pk=99, name="Phòng Hộ tịch", code="ho-tich", parent=root)
    second = Unit.objects.create(pk=100, name="Phòng Công chứng", code="cong-chung",
                                 parent=root)
    inner = Unit.objects.create(pk=1000, name="Tổ một cửa", code="to-mot-cua", parent=first)
    return root, first, second, inner


def test_sub_units_are_listed_in_the_order_they_were_made_past_a_digit_boundary():
    """Unpadded, the path "…/100/" sorted before "…/99/": the report's target lines, the
    unit lists and the breakdowns put Phòng Công chứng first, or not, depending on how many
    units the database had made before."""
    root, first, second, inner = units_past_a_digit_boundary()
    assert list(Unit.objects.filter(parent=root)) == [first, second]
    assert list(Unit.objects.within(root)) == [root, first, inner, second]
    assert [unit.depth for unit in (root, first, inner)] == [1, 2, 3]
    assert list(inner.ancestors()) == [root, first]
    assert inner.path == f"{root.path}000000099/000001000/"
    campaign = make_campaign(unit=root)
    assert TargetPlan(campaign).units == [root, first, second]


def test_a_moved_unit_takes_its_sub_units_along_with_padded_paths():
    root, first, second, inner = units_past_a_digit_boundary()
    first.parent = second
    first.save()
    inner.refresh_from_db()
    assert inner.path == f"{root.path}000000100/000000099/000001000/"
    assert list(Unit.objects.within(second)) == [second, first, inner]


def test_the_migration_pads_the_paths_units_had_and_its_reverse_unpads_them():
    migration = importlib.import_module(
        "wagtail_satisfaction.migrations.0024_unit_paths_padded")
    root, first, second, inner = units_past_a_digit_boundary()
    padded = dict(Unit.objects.values_list("pk", "path"))
    migration.unpad(apps, None)
    assert Unit.objects.get(pk=1000).path == f"{root.pk}/99/1000/"
    migration.pad(apps, None)
    assert dict(Unit.objects.values_list("pk", "path")) == padded
