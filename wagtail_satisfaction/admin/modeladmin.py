"""Our small layer over wagtail-modeladmin for read-only admin listings.

wagtail-modeladmin is in maintenance mode. Everything else in the app talks to
``ReadOnlyListing`` (model, columns, filters, search, the policy action that opens it), so a
later move to Wagtail's ``ModelViewSet`` only has to re-implement this module.
"""

from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import HistoryView

from ..models.scopes import restrict


class ReadOnlyPermissionHelper(PermissionHelper):
    """Nobody adds, edits or deletes through a listing; one policy action opens it."""

    permission_policy = None  # a policy of ``wagtail_satisfaction.permissions``
    permission_required = None  # an action of that policy

    def user_can_list(self, user):
        return user.is_active and self.permission_policy.user_has_permission(
            user, self.permission_required)

    def user_can_inspect_obj(self, user, obj):
        return self.inspect_view_enabled and self.user_can_list(user)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class ReadOnlyHistoryView(HistoryView):
    """An object's history, for those who may inspect it (modeladmin checks nobody)."""

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_inspect_obj(user, self.instance)


class ReadOnlyListing(ModelAdmin):
    """A filterable, searchable, read-only list with an inspect view per row.

    Rows and object URLs follow the unit scopes (``models.scopes``): another unit's row is
    not listed, and its inspect or history URL answers 404.
    """

    permission_policy = None
    permission_required = None
    inspect_view_enabled = True
    history_view_class = ReadOnlyHistoryView
    list_per_page = 50

    def __init__(self, parent=None):
        self.permission_helper_class = type(
            f"{self.__class__.__name__}PermissionHelper", (ReadOnlyPermissionHelper,),
            {"permission_policy": self.permission_policy,
             "permission_required": self.permission_required},
        )
        super().__init__(parent)

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user)

    def _visible_or_404(self, request, instance_pk):
        if not self.get_queryset(request).filter(pk=unquote(instance_pk)).exists():
            raise Http404

    def inspect_view(self, request, instance_pk):
        self._visible_or_404(request, instance_pk)
        return super().inspect_view(request, instance_pk)

    def history_view(self, request, instance_pk):
        self._visible_or_404(request, instance_pk)
        return super().history_view(request, instance_pk)


class ListingGroup(ModelAdminGroup):
    menu_label = _("Satisfaction")
    menu_icon = "form"
    menu_order = 250


def register_listings(group_class):
    """Register a group of listings in the admin menu."""
    return modeladmin_register(group_class)
