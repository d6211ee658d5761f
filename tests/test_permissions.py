"""The app's permission names and policies: every name exists, compound actions need all."""

import pytest
from django.contrib.auth.models import Permission
from wagtail.permissions import policy_registry

from tests.channels_factories import make_staff
from wagtail_satisfaction import permissions, roles
from wagtail_satisfaction.models import Dossier, Reverification

pytestmark = pytest.mark.django_db


def test_every_named_permission_and_every_role_permission_exists():
    names = {value for name, value in vars(permissions).items()
             if name.isupper() and isinstance(value, str) and "." in value}
    names |= {name for granted in roles.ROLE_PERMISSIONS.values() for name in granted}
    assert permissions.permission_objects(names).count() == len(names)


def test_the_registry_serves_the_apps_policies():
    assert policy_registry.get_by_type(Dossier) is permissions.DOSSIERS
    assert policy_registry.get_by_type(Reverification) is permissions.REVERIFICATIONS


def test_importing_dossiers_needs_both_add_and_change():
    adder = make_staff("adder", "add_dossier")
    importer = make_staff("importer", "add_dossier", "change_dossier")
    assert permissions.DOSSIERS.user_has_permission(adder, "add")
    assert not permissions.DOSSIERS.user_has_permission(adder, "import")
    assert permissions.DOSSIERS.user_has_permission(importer, "import")
    assert set(permissions.DOSSIERS.users_with_permission("import")) == {importer}


def test_every_re_verification_action_also_needs_the_personal_data_permission():
    clerk = make_staff("clerk", "view_reverification", "add_reverification")
    iso = make_staff("iso", "view_reverification", "view_personal_data")
    policy = permissions.REVERIFICATIONS
    assert not policy.user_has_any_permission(clerk, ["view", "add"])
    assert policy.user_has_permission(iso, "view") and not policy.user_has_permission(iso, "add")
    assert set(policy.users_with_any_permission(["view", "add"])) == {iso}


def test_personal_data_is_read_unmasked_only_with_its_permission():
    assert not permissions.can_see_personal_data(make_staff("reader", "view_response"))
    assert permissions.can_see_personal_data(make_staff("iso", "view_personal_data"))
    assert Permission.objects.filter(codename="view_personal_data").count() == 1


def test_every_choose_permission_exists():
    from wagtail_satisfaction.permissions import EDIT_PAGES

    names = {name for policy in permissions.POLICIES
             for name in policy.any_of.get("choose", ()) if name != EDIT_PAGES}
    assert permissions.permission_objects(names).count() == len(names)


def test_choosing_needs_one_of_the_forms_pointing_at_the_model():
    from wagtail.models import Site

    groups = roles.ensure_role_groups()
    counter = make_staff("quay", "add_dossier")
    moderator = make_staff("cntt", "moderate_comment", "view_comment")
    units = permissions.UNITS
    assert units.user_has_permission(counter, "choose")
    assert not units.user_has_permission(moderator, "choose")
    assert not permissions.QUESTIONNAIRES.user_has_permission(counter, "choose")
    # A page editor (page permissions only) chooses the campaign of a survey block.
    editor = make_staff("trang")
    editor.groups.add(groups[roles.EDITOR])
    editor.groups.get().permissions.clear()  # keep only the page permissions
    editor = type(editor).objects.get(pk=editor.pk)
    assert Site.objects.exists()
    assert permissions.CAMPAIGNS.user_has_permission(editor, "choose")
    assert not units.user_has_permission(editor, "choose")
    # The same rule answers "who may choose?" for Wagtail's own lists of users.
    choosers = set(permissions.CAMPAIGNS.users_with_any_permission(["choose"]))
    assert editor in choosers and moderator not in choosers
    assert set(units.users_with_any_permission(["choose"])) >= {counter}
    assert moderator not in set(units.users_with_any_permission(["choose"]))
