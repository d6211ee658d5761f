"""The role groups of an agency site, with the permissions each role needs.

``ensure_role_groups()`` creates the groups or brings their permissions back to this
definition; it is safe to run again (the ``satisfaction_roles`` command and the demo's
``load_initial_data`` both call it). Group names are in Vietnamese, as agencies name them.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from . import permissions as perms

EDITOR = "Biên tập viên"
IT_MODERATOR = "Tổ CNTT"
ISO_SECRETARY = "Thư ký ISO"
CAMPAIGN_MANAGER = "Quản lý khảo sát"
ONE_STOP = "Bộ phận Một cửa"

# Model permissions per role, as "app_label.codename".
ROLE_PERMISSIONS = {
    # Web editor: places the banner and the survey on pages; chooses (views) campaigns.
    EDITOR: [
        perms.ACCESS_ADMIN,
        perms.permission_name("add", "banner"),
        perms.permission_name("change", "banner"),
        perms.permission_name("view", "banner"),
        perms.permission_name("view", "campaign"),
        perms.permission_name("change", "satisfactionsettings"),
        perms.permission_name("add", "image", app_label="wagtailimages"),
        perms.permission_name("choose", "image", app_label="wagtailimages"),
    ],
    # IT team: reads website comments and keeps only those about TTHC/DVC handling, and
    # connects the one-stop software: creates its API tokens, revokes them, reads its calls.
    IT_MODERATOR: [
        perms.ACCESS_ADMIN,
        perms.VIEW_COMMENT,
        perms.MODERATE_COMMENT,
        perms.ADD_APICLIENT,
        perms.CHANGE_APICLIENT,
        perms.VIEW_APICLIENT,
    ],
    # ISO secretary: gathers and downloads the results, writes the reports, enters and
    # imports the dossier counts the targets and the Decision 766 ratio divide by, and runs
    # the re-verification calls ("phúc tra"): they show respondents' contact details, and
    # are done by someone independent of the counter staff whose work is being rated. They
    # also check that no result was altered (integrity page, docs/integrity.md), and
    # review typed forms: they correct any typed form of their units until the report closes
    # (docs/channels.md), each correction recorded and sealed.
    ISO_SECRETARY: [
        perms.ACCESS_ADMIN,
        perms.VIEW_RESPONSE,
        perms.EXPORT_RESPONSE,
        perms.VIEW_PERSONAL_DATA,
        perms.VIEW_COMMENT,
        perms.permission_name("view", "campaign"),
        perms.ADD_REVERIFICATION,
        perms.CHANGE_REVERIFICATION,
        perms.VIEW_REVERIFICATION,
        perms.ADD_DOSSIERCOUNT,
        perms.CHANGE_DOSSIERCOUNT,
        perms.VIEW_DOSSIERCOUNT,
        perms.VERIFY_INTEGRITY,
        perms.CHANGE_STAFFENTRY,
    ],
    # Campaign manager: sets up campaigns, questionnaires and who can be rated.
    CAMPAIGN_MANAGER: [perms.ACCESS_ADMIN] + [
        perms.permission_name(action, model)
        for model in ("campaign", "questionnaire", "unit", "procedure", "officer", "sector",
                      "banner")
        for action in ("add", "change", "view")
    ],
    # One-stop-shop counter staff: record dossiers (and import them), print rating slips,
    # send the email invitations, run the counter tablets and type in paper forms. They
    # never see responses, comments or respondents' personal data, and cannot draw or
    # record re-verification calls about their own work; deleting is left to a superuser.
    ONE_STOP: [
        perms.ACCESS_ADMIN,
        perms.ADD_DOSSIER,
        perms.CHANGE_DOSSIER,
        perms.VIEW_DOSSIER,
        perms.SEND_INVITATIONS,
        perms.ADD_KIOSKKEY,
        perms.CHANGE_KIOSKKEY,
        perms.VIEW_KIOSKKEY,
        perms.ADD_STAFFENTRY,
    ],
}

# Page permissions (on the site's root page and its descendants) per role.
ROLE_PAGE_PERMISSIONS = {
    EDITOR: ["add_page", "change_page", "publish_page"],
}


def _permission(dotted):
    return perms.permission_objects([dotted]).get()


def _site_roots():
    from wagtail.models import Page, Site

    roots = [site.root_page for site in Site.objects.select_related("root_page")]
    # Before a site exists the tree's first real page stands in for it.
    return roots or list(Page.objects.filter(depth=2)[:1])


@transaction.atomic
def ensure_role_groups():
    """Create or update the role groups; return ``{name: Group}``.

    Each group's model permissions are set to exactly those listed here, so a rerun
    removes anything that drifted; page permissions are added on every site root.
    """
    from wagtail.models import GroupPagePermission

    groups = {}
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(dotted) for dotted in permissions])
        for codename in ROLE_PAGE_PERMISSIONS.get(name, []):
            permission = _permission(f"wagtailcore.{codename}")
            for root in _site_roots():
                GroupPagePermission.objects.get_or_create(group=group, page=root,
                                                          permission=permission)
        groups[name] = group
    return groups
