"""Public figures refresh when a response or comment of their campaign is stored, or when
the daily tallies take in the responses submitted on PostgreSQL (``reports.rollup``)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Comment, Response
from ..reports.rollup import tallies_rolled_up
from .results import bump_version


@receiver(post_save, sender=Response, dispatch_uid="satisfaction_public_response_saved")
@receiver(post_delete, sender=Response, dispatch_uid="satisfaction_public_response_deleted")
@receiver(post_save, sender=Comment, dispatch_uid="satisfaction_public_comment_saved")
def refresh_public_results(sender, instance, **kwargs):
    # After the commit: a rolled-back submission changes nothing, and the answers are in.
    campaign_id = instance.campaign_id
    transaction.on_commit(lambda: bump_version(campaign_id))


@receiver(tallies_rolled_up, dispatch_uid="satisfaction_public_tallies_rolled_up")
def refresh_rolled_up_campaigns(sender, campaign_ids, **kwargs):
    # A submission on PostgreSQL sends no post_save (one statement stores it): its figures
    # change when its campaign's tallies take it in, which the public figures roll up first.
    for campaign_id in campaign_ids:
        bump_version(campaign_id)
