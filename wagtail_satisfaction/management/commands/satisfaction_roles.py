from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from wagtail_satisfaction.roles import ensure_role_groups


class Command(BaseCommand):
    help = ("Create or update the role groups (editor, IT moderator, ISO secretary, campaign "
            "manager, one-stop-shop staff).")

    def handle(self, *args, **options):
        for name, group in ensure_role_groups().items():
            self.stdout.write(_("%(group)s: %(count)s permissions") % {
                "group": name, "count": group.permissions.count()})
