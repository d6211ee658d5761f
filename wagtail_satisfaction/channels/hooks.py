"""Wagtail hooks of the collection channels, imported by ``wagtail_hooks``."""

from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_channel_admin():
    from .admin import ChannelsGroup

    return ChannelsGroup()


@hooks.register("register_permissions")
def register_channel_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="wagtail_satisfaction",
        content_type__model__in=["dossier", "kioskkey", "staffentry", "reverification",
                                 "apiclient"],
    )


@hooks.register("register_log_actions")
def register_channel_log_actions(actions):
    from django.utils.translation import gettext_lazy as _

    from .corrections import LOG_ACTION as CORRECTION
    from .paper import LOG_ACTION

    actions.register_action(LOG_ACTION, _("Staff entry"), _("Typed in a paper form"))
    actions.register_action(CORRECTION, _("Typed form corrected"),
                            _("Corrected a typed form"))
