"""What every channel screen shares: the admin page furniture and its permission check."""

from django import forms
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet

TEMPLATES = "wagtail_satisfaction/admin/channels/"


class ScreenViewSet(ViewSet):
    """An admin section that is not a model's, in the menu of users its policy allows."""

    permission_policy = None
    permission_required = None

    @cached_property
    def menu_item_class(self):
        viewset = self

        class PolicyMenuItem(MenuItem):
            def is_shown(self, request):
                return viewset.permission_policy.user_has_permission(
                    request.user, viewset.permission_required)

        return PolicyMenuItem


class ChannelScreenMixin(PermissionCheckedMixin, WagtailAdminTemplateMixin):
    """A channel screen in the admin's own layout, with breadcrumbs back to its section.

    Subclasses set ``permission_policy`` and ``permission_required`` (checked before
    anything runs: Wagtail's admin sends a refused user back to the dashboard), the
    ``page_title``, ``header_icon`` and ``template_name``; ``index_url_name`` and
    ``index_label`` make the section's listing the middle breadcrumb.
    """

    index_url_name = None
    index_label = None

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.index_url_name:
            items.append({"url": reverse(self.index_url_name), "label": self.index_label})
        return [*items, {"url": "", "label": self.get_page_title()}]


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"))
