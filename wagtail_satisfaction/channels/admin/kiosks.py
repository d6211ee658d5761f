"""Kiosk keys in the admin: each key is a counter tablet's address."""

from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.model import ModelViewSet

from ...admin.scoping import UnitScopedViewSetMixin
from ...models import KioskKey
from .. import dossiers


class KioskLinkColumn(Column):
    def get_value(self, instance):
        return dossiers.public_url(instance.get_absolute_url())


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
