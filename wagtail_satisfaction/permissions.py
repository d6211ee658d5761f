"""The app's permissions, named once, and the one way every screen checks them.

Each permission the code asks for is a constant here (``"app_label.codename"``); the role
groups, the ``register_permissions`` hook, menus and views use these names. Checks go
through Wagtail permission policies, as Wagtail's own admin does: a class-based view sets
``permission_policy`` and ``permission_required`` (an action such as ``"add"`` or
``"import"``), a function view is wrapped in ``PermissionPolicyChecker(policy).require(...)``,
and menus or templates ask ``policy.user_has_permission(user, action)``. A refused user is
sent back to the dashboard by Wagtail's admin (the moderation queue answers a plain 403).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy

APP_LABEL = "wagtail_satisfaction"


def permission_name(action, model_name, app_label=APP_LABEL):
    """``"app_label.<action>_<model>"``, Django's name for a model permission."""
    return f"{app_label}.{action}_{model_name}"


ACCESS_ADMIN = "wagtailadmin.access_admin"

# Responses, their export and the respondents' personal data (phones, emails, ID numbers).
VIEW_RESPONSE = permission_name("view", "response")
EXPORT_RESPONSE = permission_name("export", "response")
VIEW_PERSONAL_DATA = f"{APP_LABEL}.view_personal_data"

# Website comments and their moderation.
VIEW_COMMENT = permission_name("view", "comment")
MODERATE_COMMENT = permission_name("moderate", "comment")

# The collection channels.
ADD_DOSSIER = permission_name("add", "dossier")
CHANGE_DOSSIER = permission_name("change", "dossier")
VIEW_DOSSIER = permission_name("view", "dossier")
SEND_INVITATIONS = f"{APP_LABEL}.send_invitations"
ADD_KIOSKKEY = permission_name("add", "kioskkey")
CHANGE_KIOSKKEY = permission_name("change", "kioskkey")
VIEW_KIOSKKEY = permission_name("view", "kioskkey")
ADD_STAFFENTRY = permission_name("add", "staffentry")
# Correct any typed form of one's units (a reviewer's); the typist corrects their own.
CHANGE_STAFFENTRY = permission_name("change", "staffentry")
ADD_REVERIFICATION = permission_name("add", "reverification")
CHANGE_REVERIFICATION = permission_name("change", "reverification")
VIEW_REVERIFICATION = permission_name("view", "reverification")
# Dossier counts per unit and period: the denominators of the targets and the 766 ratio.
ADD_DOSSIERCOUNT = permission_name("add", "dossiercount")
CHANGE_DOSSIERCOUNT = permission_name("change", "dossiercount")
VIEW_DOSSIERCOUNT = permission_name("view", "dossiercount")

# The dossier API's clients (the one-stop software) and their tokens.
ADD_APICLIENT = permission_name("add", "apiclient")
CHANGE_APICLIENT = permission_name("change", "apiclient")
VIEW_APICLIENT = permission_name("view", "apiclient")

# Tamper evidence: see the integrity checks' results and start one (docs/integrity.md).
VERIFY_INTEGRITY = f"{APP_LABEL}.verify_integrity"



# Not a model permission: the right to add or change some page (Wagtail's page
# permissions), which is what lets an editor place a survey or banner block on a page.
EDIT_PAGES = "wagtailcore:edit_pages"


def _user_edits_pages(user):
    from wagtail.permission_policies.pages import PagePermissionPolicy

    return PagePermissionPolicy().user_has_any_permission(user, {"add", "change"})


class AppPermissionPolicy(ModelPermissionPolicy):
    """A model's permission policy that also knows the app's own actions.

    ``actions`` maps an action to the permissions it needs, all of them: importing
    dossiers needs both ``add`` and ``change``; sending invitations is a permission whose
    codename does not follow ``<action>_<model>``. Any other action is the model's own.
    ``any_of`` maps an action to permissions of which one is enough: choosing a unit is
    for whoever edits something that points at a unit. ``also_required`` are needed on
    top of every action (re-verification calls show respondents' contact details, so every
    action on them needs ``VIEW_PERSONAL_DATA``).
    """

    def __init__(self, model, actions=None, also_required=(), any_of=None):
        super().__init__(model)
        self.actions = dict(actions or {})
        self.any_of = dict(any_of or {})
        self.also_required = tuple(also_required)

    def permissions_for(self, action):
        names = self.actions.get(action) or (self._get_permission_name(action),)
        return (*names, *self.also_required)

    def user_has_permission(self, user, action):
        if action in self.any_of:
            if user.is_active and user.is_superuser:
                return True
            return user.has_perms(self.also_required) and any(
                _user_edits_pages(user) if name == EDIT_PAGES else user.has_perm(name)
                for name in self.any_of[action])
        return user.has_perms(self.permissions_for(action))

    def users_with_any_permission(self, actions):
        user_model = get_user_model()
        matching = Q(pk__in=[])
        for action in actions:
            if action in self.any_of:
                names = [name for name in self.any_of[action] if name != EDIT_PAGES]
                granted = permission_objects(names)
                users = user_model.objects.filter(
                    Q(is_superuser=True) | Q(user_permissions__in=granted)
                    | Q(groups__permissions__in=granted), is_active=True)
                if EDIT_PAGES in self.any_of[action]:
                    users |= user_model.objects.filter(
                        is_active=True, groups__page_permissions__permission__codename__in=(
                            "add_page", "change_page"))
                matching |= Q(pk__in=users.values("pk"))
                continue
            users = user_model.objects.filter(is_active=True)
            for name in self.permissions_for(action):
                granted = permission_objects([name])
                users = users.filter(Q(is_superuser=True) | Q(user_permissions__in=granted)
                                     | Q(groups__permissions__in=granted))
            matching |= Q(pk__in=users.values("pk"))
        return user_model.objects.filter(matching)


def _editors_of(*model_names):
    """The add and change permissions of ``model_names``: whoever fills in their forms."""
    return tuple(permission_name(action, model) for model in model_names
                 for action in ("add", "change"))


RESPONSES = AppPermissionPolicy(f"{APP_LABEL}.Response",
                                actions={"view_personal_data": (VIEW_PERSONAL_DATA,)})
COMMENTS = AppPermissionPolicy(f"{APP_LABEL}.Comment")
DOSSIERS = AppPermissionPolicy(f"{APP_LABEL}.Dossier", actions={
    "import": (ADD_DOSSIER, CHANGE_DOSSIER),
    "send_invitations": (SEND_INVITATIONS,),
})
STAFF_ENTRIES = AppPermissionPolicy(f"{APP_LABEL}.StaffEntry")
REVERIFICATIONS = AppPermissionPolicy(f"{APP_LABEL}.Reverification",
                                      also_required=(VIEW_PERSONAL_DATA,))

# The snippet choosers ("choose" action): a model is chosen by whoever fills in a form
# with a field pointing at it, and nobody else (the chooser lists every object).
QUESTIONNAIRES = AppPermissionPolicy(f"{APP_LABEL}.Questionnaire", any_of={
    "choose": _editors_of("campaign"),
})
CAMPAIGNS = AppPermissionPolicy(f"{APP_LABEL}.Campaign", any_of={
    # Banners, kiosk keys, and the survey page and block placed on pages.
    "choose": (*_editors_of("banner", "kioskkey"), EDIT_PAGES),
})
BANNERS = AppPermissionPolicy(f"{APP_LABEL}.Banner", any_of={
    # The site banner setting and the banner block placed on pages.
    "choose": (permission_name("change", "satisfactionsettings"), EDIT_PAGES),
})
UNITS = AppPermissionPolicy(f"{APP_LABEL}.Unit", any_of={
    "choose": _editors_of("unit", "campaign", "procedure", "officer", "dossier", "kioskkey",
                          "dossiercount"),
})
SECTORS = AppPermissionPolicy(f"{APP_LABEL}.Sector", any_of={
    "choose": _editors_of("procedure"),
})
PROCEDURES = AppPermissionPolicy(f"{APP_LABEL}.Procedure", any_of={
    "choose": _editors_of("dossier"),
})
OFFICERS = AppPermissionPolicy(f"{APP_LABEL}.Officer", any_of={
    "choose": _editors_of("dossier"),
})
DOSSIER_COUNTS = AppPermissionPolicy(f"{APP_LABEL}.DossierCount", any_of={
    "choose": (),  # nothing points at a dossier count
})

API_CLIENTS = AppPermissionPolicy(f"{APP_LABEL}.ApiClient", any_of={
    "choose": (),  # nothing points at an API client
})

INTEGRITY_CHECKS = AppPermissionPolicy(f"{APP_LABEL}.IntegrityCheck",
                                       actions={"verify": (VERIFY_INTEGRITY,)})

POLICIES = (RESPONSES, COMMENTS, DOSSIERS, STAFF_ENTRIES, REVERIFICATIONS, QUESTIONNAIRES,
            CAMPAIGNS, BANNERS, UNITS, SECTORS, PROCEDURES, OFFICERS, DOSSIER_COUNTS,
            INTEGRITY_CHECKS, API_CLIENTS)


def permission_objects(names):
    """The ``Permission`` rows for dotted ``names``, in one query."""
    match = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        match |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(match)


def register_policies():
    """Make these the policies Wagtail's own views use for the models (once, at start)."""
    from wagtail.permissions import policy_registry, register_permission_policy

    for policy in POLICIES:
        if policy_registry.get_by_type(policy.model, fallback=False) is not policy:
            register_permission_policy(policy.model, policy)


def can_see_personal_data(user):
    """Whether ``user`` reads respondents' phones, emails and ID numbers unmasked."""
    return RESPONSES.user_has_permission(user, "view_personal_data")
