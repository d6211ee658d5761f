import pytest

from tests.factories import make_unit
from wagtail_satisfaction.models import Unit

pytestmark = pytest.mark.django_db


def test_within_includes_sub_units_by_tree_not_by_name():
    department = make_unit("Sở Tư pháp")
    office = make_unit("Phòng Hộ tịch", parent=department)
    team = make_unit("Tổ một cửa", parent=office)
    lookalike = make_unit("Sở Tư pháp 2")  # a name prefix, not a sub-unit
    assert set(Unit.objects.within(department)) == {department, office, team}
    assert set(Unit.objects.within(office)) == {office, team}
    assert lookalike not in Unit.objects.within(department)


def test_moving_a_unit_moves_its_sub_units():
    old_parent, new_parent = make_unit("A"), make_unit("B")
    office = make_unit("Phòng", parent=old_parent)
    team = make_unit("Tổ", parent=office)
    office.parent = new_parent
    office.save()
    team.refresh_from_db()
    assert set(Unit.objects.within(new_parent)) == {new_parent, office, team}
    assert set(Unit.objects.within(old_parent)) == {old_parent}
    assert [u.name for u in team.ancestors()] == ["B", "Phòng"]
