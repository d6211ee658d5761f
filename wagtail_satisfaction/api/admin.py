"""API clients in the admin: create (the token is shown once), revoke, last use, calls.

The IT team manages them (roles.py); a unit-scoped user binds a client to their own units
only (admin/scoping.py). Tokens are stored as digests: a lost token cannot be shown again,
only replaced by a new client.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import CreateView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton

from .. import permissions
from ..admin.scoping import UnitScopedViewSetMixin
from ..channels.admin.base import ChannelScreenMixin
from ..channels.dossiers import public_url
from ..models import ApiClient

TEMPLATES = "wagtail_satisfaction/admin/api/"
INDEX = "wagtail_satisfaction_api_clients:index"


@method_decorator(never_cache, name="dispatch")
class ApiClientCreateView(CreateView):
    """Creates the client and shows its token, once, instead of going back to the list."""

    def save_instance(self):
        self.token = self.form.instance.set_token()
        self.form.instance.created_by = self.request.user
        return super().save_instance()

    def save_action(self):
        return TemplateResponse(self.request, TEMPLATES + "token.html", {
            "client": self.object, "token": self.token,
            "api_url": public_url(reverse("wagtail_satisfaction:api_dossiers")),
            "page_title": _("Token of %(name)s") % {"name": self.object.name},
            "header_icon": "key", "index_url": reverse(INDEX),
            "breadcrumbs_items": [{"url": reverse(INDEX), "label": _("API clients")},
                                  {"url": "", "label": self.object.name}],
        })


class ApiClientIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(ListingButton(
            _("Calls"), url=reverse("wagtail_satisfaction_api_clients:calls",
                                    args=[instance.pk]), icon_name="list-ul", priority=20))
        if instance.is_active and self.user_has_permission("change"):
            buttons.append(ListingButton(
                _("Revoke"), url=reverse("wagtail_satisfaction_api_clients:revoke",
                                         args=[instance.pk]), icon_name="cross",
                priority=30))
        return buttons


class ClientScreen(ChannelScreenMixin, TemplateView):
    permission_policy = permissions.API_CLIENTS
    header_icon = "key"
    index_url_name = INDEX
    index_label = gettext_lazy("API clients")

    def get_object(self):
        from ..models.scopes import restrict

        # Another unit's client answers 404, as if it did not exist.
        return get_object_or_404(restrict(ApiClient.objects.all(), self.request.user),
                                 pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        self.object = self.object or self.get_object()
        return super().get_context_data(client=self.object, **kwargs)


class ApiClientRevokeView(ClientScreen):
    """Revoke a client's token: its next call is refused (401); it cannot be undone."""

    permission_required = "change"
    template_name = TEMPLATES + "revoke.html"

    def get_page_title(self):
        return _("Revoke the token of %(name)s") % {"name": self.get_object().name}

    def post(self, request, *args, **kwargs):
        client = self.get_object()
        ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        messages.success(request, _("The token of %(name)s is revoked: its calls are refused "
                                    "from now on.") % {"name": client.name})
        return redirect(INDEX)


class ApiClientCallsView(ClientScreen):
    """The client's last calls: when, what, which dossier, and how it ended."""

    permission_required = "view"
    template_name = TEMPLATES + "calls.html"
    shown = 200

    def get_page_title(self):
        return _("Calls of %(name)s") % {"name": self.get_object().name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["calls"] = self.object.calls.all()[:self.shown]
        context["shown"] = self.shown
        return context


class StatusColumn(Column):
    def get_value(self, instance):
        if instance.is_active:
            return _("active")
        return _("revoked on %(date)s") % {
            "date": timezone.localtime(instance.revoked_at).strftime("%d/%m/%Y %H:%M")}


class UnitsColumn(Column):
    def get_value(self, instance):
        return ", ".join(unit.name for unit in instance.units.all())


class ApiClientViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = ApiClient
    name = "wagtail_satisfaction_api_clients"
    url_prefix = "satisfaction/api-clients"
    icon = "key"
    menu_label = gettext_lazy("API clients")
    add_view_class = ApiClientCreateView
    index_view_class = ApiClientIndexView
    copy_view_enabled = False
    permission_policy = permissions.API_CLIENTS
    list_display = ["name", Column("token_prefix", label=gettext_lazy("token starts with")),
                    UnitsColumn("units", label=gettext_lazy("units")),
                    DateColumn("last_used_at", label=gettext_lazy("last used")),
                    StatusColumn("status", label=gettext_lazy("status"))]
    form_fields = ["name", "units"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("revoke/<int:pk>/", ApiClientRevokeView.as_view(), name="revoke"),
            path("calls/<int:pk>/", ApiClientCallsView.as_view(), name="calls"),
        ]
