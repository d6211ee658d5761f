"""Helpers for the comment moderation tests: comments, roles, moderators."""

from django.contrib.auth.models import Group, Permission

from tests.factories import full_answers, make_user
from wagtail_satisfaction.services import submit_response

# The demo's roles, with the permissions each needs for moderation.
ROLE_PERMISSIONS = {
    "Biên tập viên": ["wagtailadmin.access_admin"],
    "Tổ CNTT": ["wagtailadmin.access_admin", "wagtail_satisfaction.moderate_comment"],
    "Thư ký ISO": ["wagtailadmin.access_admin", "wagtail_satisfaction.view_response",
                   "wagtail_satisfaction.export_response",
                   "wagtail_satisfaction.view_personal_data"],
}


def make_roles():
    """Create (or complete) the demo's groups with their permissions."""
    groups = {}
    for name, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(
                content_type__app_label=app_label, codename=codename))
        groups[name] = group
    return groups


def make_moderator(username="cntt", personal_data=False):
    make_roles()
    user = make_user(username, "Tổ CNTT")
    if personal_data:
        user.user_permissions.add(Permission.objects.get(
            content_type__app_label="wagtail_satisfaction", codename="view_personal_data"))
    return user


def make_editor(username="bientap"):
    make_roles()
    return make_user(username, "Biên tập viên")


def make_comment(campaign, text, **kwargs):
    """Submit a response with ``text`` as its comment, as a visitor would."""
    response = submit_response(campaign, answers=full_answers(campaign), comment=text, **kwargs)
    return response.comment
