"""Queue (or run at once) the survey invitations or reminders of a campaign.

    manage.py send_survey_invitations <campaign-slug> [--reminder] [--now]

Meant for a daily cron job: invitations go to newly returned dossiers, reminders to
those invited long enough ago who have not answered. Nobody is mailed twice.
"""

from django.core.management.base import BaseCommand, CommandError

from wagtail_satisfaction.channels import invitations
from wagtail_satisfaction.models import Campaign


class Command(BaseCommand):
    help = "Send a campaign's survey invitations (or reminders) in batches."

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="slug of the campaign")
        parser.add_argument("--reminder", action="store_true",
                            help="send the single reminder instead of invitations")
        parser.add_argument("--now", action="store_true",
                            help="send in this process instead of queueing a background task")

    def handle(self, campaign, reminder=False, now=False, **options):
        try:
            campaign = Campaign.objects.get(slug=campaign)
        except Campaign.DoesNotExist as error:
            raise CommandError(f"No campaign with the slug {campaign!r}.") from error
        if not campaign.is_open():
            raise CommandError(f"Campaign {campaign.slug!r} is not open today.")
        kind = invitations.REMINDER if reminder else invitations.INVITATION
        if now:
            report = invitations.send(campaign, kind)
            self.stdout.write(f"{report.sent} {kind}s sent in {report.batches} batches; "
                              f"{len(report.failed)} refused by the mail server.")
        else:
            result = invitations.enqueue(campaign, kind)
            self.stdout.write(f"{kind}s queued as task {result.id}.")
