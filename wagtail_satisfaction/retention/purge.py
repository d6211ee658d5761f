"""The personal-data purge: after ``PERSONAL_DATA_RETENTION_DAYS``, contacts are erased and
personal data typed into free text is masked; figures never change.

The rule (docs/retention.md), with the cut-off = today (report time zone) − the period:

* a response of a campaign that closed before the cut-off: its contact email is erased, and
  phone numbers, ID numbers and emails in its comment and in the note of its re-verification
  call are masked with the moderation's masking rule (``retained_comment_text``);
* a dossier whose result was returned (or, without a return date, that was received) before
  the cut-off: its applicant's name, email and phone are erased.

Answers, scores, tallies, unit, procedure, officer and dates are untouched, so every report
gives the same figures after a purge. A comment's text is otherwise final
(``models.moderation.FinalCommentMixin``): this module is the one place allowed to rewrite
it, and only into ``retained_comment_text(text)``.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import registry as log_registry

from ..conf import get_setting
from ..models import Comment, Dossier, PurgeRun, Response, Reverification
from ..moderation.privacy import mask_personal_data, retained_comment_text
from ..reports.rollup import report_zone

PURGE_ACTION = "wagtail_satisfaction.retention.purge"
CHUNK = 500

# Each kind of personal data the purge handles, in the order reports list them.
KINDS = {
    "response_emails": _("respondents' emails erased"),
    "comments": _("comments with personal data masked"),
    "reverification_notes": _("re-verification notes with personal data masked"),
    "dossiers": _("dossiers whose applicant's name and contacts were erased"),
}


def retention_cutoff(today=None):
    """The first local date whose personal data is still kept; None when kept forever."""
    days = get_setting("PERSONAL_DATA_RETENTION_DAYS")
    if days is None:
        return None
    today = today or timezone.now().astimezone(report_zone()).date()
    return today - datetime.timedelta(days=days)


def expired_responses(cutoff):
    """Responses whose personal data is due for erasure and not erased yet."""
    return Response.objects.filter(campaign__closes_on__lt=cutoff,
                                   personal_data_erased_at=None)


def expired_dossiers(cutoff):
    """Dossiers settled before ``cutoff`` that still hold an applicant's name or contacts."""
    return (Dossier.objects.annotate(settled_on=Coalesce("returned_on", "received_on"))
            .filter(settled_on__lt=cutoff)
            .exclude(applicant_name="", email="", phone=""))


@dataclass
class PurgeResult:
    cutoff: datetime.date | None
    counts: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    dry_run: bool = False
    run: PurgeRun | None = None

    def lines(self):
        """(label, count) per kind, for the command's output."""
        return [(str(label), self.counts[key]) for key, label in KINDS.items()]


def _write_comment_text(comment_id, text):
    # Comment text is final for every other path (CommentQuerySet.update refuses it); the
    # purge writes only the retained form, through the plain QuerySet update.
    from ..moderation.text import fold

    models.QuerySet.update(Comment.objects.filter(pk=comment_id), text=text,
                           text_folded=fold(text))


def _purge_responses(cutoff, result, now):
    last = 0
    while True:
        with transaction.atomic():
            # Claim the chunk: a purge running at the same time skips rows already claimed,
            # so nothing is counted twice.
            claimed = expired_responses(cutoff).filter(pk__gt=last).order_by("pk")
            if not result.dry_run:
                claimed = claimed.select_for_update(skip_locked=True, of=("self",))
            rows = list(claimed.values_list("pk", "email")[:CHUNK])
            if not rows:
                return
            ids = [pk for pk, _email in rows]
            last = ids[-1]
            result.counts["response_emails"] += sum(1 for _pk, email in rows if email)
            for pk, text in Comment.objects.filter(response_id__in=ids).values_list("pk",
                                                                                    "text"):
                masked = retained_comment_text(text)
                if masked != text:
                    result.counts["comments"] += 1
                    if not result.dry_run:
                        _write_comment_text(pk, masked)
            for pk, note in (Reverification.objects.filter(response_id__in=ids)
                             .exclude(note="").values_list("pk", "note")):
                masked = mask_personal_data(note)
                if masked != note:
                    result.counts["reverification_notes"] += 1
                    if not result.dry_run:
                        Reverification.objects.filter(pk=pk).update(note=masked)
            if not result.dry_run:
                Response.objects.filter(pk__in=ids).update(
                    email="", email_key="", personal_data_erased_at=now)


def _purge_dossiers(cutoff, result):
    from wagtail.search.index import insert_or_update_object

    if result.dry_run:
        result.counts["dossiers"] = expired_dossiers(cutoff).count()
        return
    while True:
        with transaction.atomic():
            ids = list(expired_dossiers(cutoff).order_by("pk")
                       .select_for_update(skip_locked=True, of=("self",))
                       .values_list("pk", flat=True)[:CHUNK])
            if not ids:
                return
            result.counts["dossiers"] += Dossier.objects.filter(pk__in=ids).update(
                applicant_name="", email="", phone="")
            for dossier in Dossier.objects.filter(pk__in=ids):
                insert_or_update_object(dossier)  # the admin search index held the name


def purge_personal_data(*, dry_run=False, trigger=PurgeRun.Trigger.COMMAND, today=None):
    """Erase or mask the personal data past the retention period; return a PurgeResult.

    A real run is recorded as a :class:`~wagtail_satisfaction.models.PurgeRun` and in
    Wagtail's history with its counts; a dry run only counts.
    """
    cutoff = retention_cutoff(today)
    result = PurgeResult(cutoff=cutoff, dry_run=dry_run)
    if cutoff is None:
        return result
    now = timezone.now()
    _purge_responses(cutoff, result, now)
    _purge_dossiers(cutoff, result)
    if not dry_run:
        result.run = PurgeRun.objects.create(
            started_at=now, finished_at=timezone.now(), trigger=trigger,
            retention_days=get_setting("PERSONAL_DATA_RETENTION_DAYS"), cutoff=cutoff,
            counts=result.counts)
        log_registry.log(result.run, PURGE_ACTION, user=None, title=str(result.run),
                         data={"counts": result.counts, "cutoff": cutoff.isoformat()})
    return result
