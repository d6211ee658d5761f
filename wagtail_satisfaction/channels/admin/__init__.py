"""Admin screens of the collection channels, grouped in one "Collection channels" menu.

Dossiers, kiosk keys, re-verification calls and the dossier API's clients are Wagtail
``ModelViewSet``s; invitations and paper forms are sections of their own. Each module
declares its views at module level and sets them on its viewset; each view names the
permission policy and action it needs (see :mod:`wagtail_satisfaction.permissions`). The
rules they call live in the channel modules one level up (the API's in ``api``).
"""

from django.utils.translation import gettext_lazy
from wagtail.admin.viewsets.base import ViewSetGroup

from ...api.admin import ApiClientViewSet
from .dossiers import DossierViewSet
from .invitations import InvitationsViewSet
from .kiosks import KioskKeyViewSet
from .paper import PaperViewSet
from .reverification import ReverificationViewSet


class ChannelsGroup(ViewSetGroup):
    menu_label = gettext_lazy("Collection channels")
    menu_icon = "mail"
    menu_order = 245
    items = (DossierViewSet, KioskKeyViewSet, InvitationsViewSet, PaperViewSet,
             ReverificationViewSet, ApiClientViewSet)
