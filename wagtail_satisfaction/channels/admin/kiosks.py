"""Kiosk keys in the admin: each key is a counter tablet's address."""

from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet

from ...admin.scoping import UnitScopedViewSetMixin
from ...models import KioskKey
from .. import dossiers


class KioskLinkColumn(Column):
    def get_value(self, instance):
        return dossiers.public_url(instance.get_absolute_url())


class KioskEditView(EditView):
    """The kiosk's form with its address and QR code above it, to open or print on the
    counter's tablet, and a warning when that address is not the one in use."""

    template_name = "wagtail_satisfaction/admin/channels/kiosk_edit.html"

    def get_context_data(self, **kwargs):
        url = dossiers.public_url(self.object.get_absolute_url())
        return super().get_context_data(
            kiosk_url=url, kiosk_qr=dossiers.qr_svg(url),
            base_mismatch=dossiers.base_address_mismatch(self.request), **kwargs)


class KioskKeyViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = KioskKey
    name = "wagtail_satisfaction_kiosks"
    url_prefix = "satisfaction/kiosks"
    icon = "desktop"
    menu_label = gettext_lazy("Kiosk keys")
    list_display = ["name", "campaign", "unit", BooleanColumn("active",
                                                              label=gettext_lazy("active")),
                    KioskLinkColumn("kiosk_url", label=gettext_lazy("Kiosk address"))]
    list_filter = ["campaign", "active"]
    edit_view_class = KioskEditView
