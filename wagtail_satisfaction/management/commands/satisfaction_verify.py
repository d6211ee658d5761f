"""Check that no stored result was altered: every seal, each campaign's chain, the tallies.

    manage.py satisfaction_verify [--campaign SLUG] [--seal-unsealed]

Prints one line per problem and a summary; exits with status 1 if anything is wrong. The
run is recorded, so the admin's integrity page shows its result. Run it daily (docs/integrity.md).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wagtail_satisfaction.integrity.seal import seal_unsealed as seal_unsealed_responses
from wagtail_satisfaction.integrity.tasks import run_check
from wagtail_satisfaction.models import Campaign, IntegrityCheck


class Command(BaseCommand):
    help = ("Verify every response's seal, each campaign's chain and the daily tallies; "
            "exit 1 naming each bad response.")

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="only this campaign (slug)")
        parser.add_argument(
            "--seal-unsealed", action="store_true",
            help="first seal responses stored before sealing existed (once, when upgrading; "
                 "it vouches for them as they are now)")

    def handle(self, *args, campaign=None, seal_unsealed=False, **options):
        chosen = None
        if campaign:
            chosen = Campaign.objects.filter(slug=campaign).first()
            if chosen is None:
                raise CommandError(_("No campaign “%(slug)s”.") % {"slug": campaign})
        if seal_unsealed:
            count = seal_unsealed_responses([chosen.pk] if chosen else None)
            self.stdout.write(_("Sealed %(count)s responses that had no seal.")
                              % {"count": count})
        check = IntegrityCheck.objects.create(campaign=chosen)
        result = run_check(check, on_problem=lambda problem: self.stdout.write(
            problem.describe()))
        # The heads are the anchor outside the database: keep this output (docs/integrity.md).
        for campaign_id, (seq, digest) in sorted(result.heads.items(), key=lambda x: int(x[0])):
            self.stdout.write(_("Campaign %(campaign)s: chain head no. %(seq)s, %(digest)s")
                              % {"campaign": campaign_id, "seq": seq, "digest": digest})
        summary = _("%(responses)s responses, %(seals)s seals checked: %(problems)s "
                    "problems.") % {"responses": result.responses_checked,
                                    "seals": result.seals_checked,
                                    "problems": result.problem_count}
        if not result.ok:
            self.stdout.write(summary)
            raise CommandError(_("Integrity check failed: %(count)s problems.")
                               % {"count": result.problem_count})
        self.stdout.write(self.style.SUCCESS(summary + " " + _("Every result is as stored.")))
