"""Public figures refresh when a response or comment of their campaign is stored."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Comment, Response
from .results import bump_version


@receiver(post_save, sender=Response, dispatch_uid="satisfaction_public_response_saved")
@receiver(post_delete, sender=Response, dispatch_uid="satisfaction_public_response_deleted")
@receiver(post_save, sender=Comment, dispatch_uid="satisfaction_public_comment_saved")
def refresh_public_results(sender, instance, **kwargs):
    # After the commit: a rolled-back submission changes nothing, and the answers are in.
    campaign_id = instance.campaign_id
    transaction.on_commit(lambda: bump_version(campaign_id))
