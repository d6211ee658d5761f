"""Erase or mask personal data past its retention period (docs/retention.md).

    manage.py satisfaction_purge [--dry-run] [--enqueue]
"""

from django.core.management.base import BaseCommand

from wagtail_satisfaction.conf import get_setting
from wagtail_satisfaction.retention.purge import purge_personal_data


class Command(BaseCommand):
    help = ("Erase respondents' emails and applicants' contacts and mask personal data in "
            "comments and re-verification notes, after PERSONAL_DATA_RETENTION_DAYS.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="count what would be erased or masked; change nothing")
        parser.add_argument("--enqueue", action="store_true",
                            help="run the purge as a background task on the task worker")

    def handle(self, *args, **options):
        if options["enqueue"]:
            from wagtail_satisfaction.retention.tasks import purge_personal_data_task

            result = purge_personal_data_task.enqueue()
            self.stdout.write(f"Purge queued as task {result.id}.")
            return
        result = purge_personal_data(dry_run=options["dry_run"])
        if result.cutoff is None:
            self.stdout.write("PERSONAL_DATA_RETENTION_DAYS is None: personal data is kept; "
                              "nothing to purge.")
            return
        days = get_setting("PERSONAL_DATA_RETENTION_DAYS")
        self.stdout.write(("Dry run: nothing changed. " if result.dry_run else "")
                          + f"Retention {days} days, cut-off {result.cutoff.isoformat()}.")
        for label, count in result.lines():
            self.stdout.write(f"{label}: {count}")
        if result.run:
            self.stdout.write(f"Recorded as purge run #{result.run.pk}.")
