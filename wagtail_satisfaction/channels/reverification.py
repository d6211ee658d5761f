"""Re-verification ("phúc tra"): a random share of responses is called back to confirm.

Only responses with a way to reach the person are drawn: the email given with the
response, or the phone / email of the dossier it rates.
"""

import math

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from ..conf import get_setting
from ..models import Dossier, Response, Reverification


def with_contacts(queryset):
    """Annotate responses with the dossier's phone and email (one subquery each)."""
    dossier = Dossier.objects.filter(code=OuterRef("dossier_code"))
    return queryset.annotate(
        dossier_phone=Subquery(dossier.values("phone")[:1]),
        dossier_email=Subquery(dossier.values("email")[:1]),
        applicant_name=Subquery(dossier.values("applicant_name")[:1]),
    )


def reachable(campaign, channels=None):
    """Responses of the campaign not yet drawn, that have contact details."""
    dossier_contact = Dossier.objects.filter(code=OuterRef("dossier_code")).filter(
        ~Q(phone="") | ~Q(email=""))
    queryset = Response.objects.filter(campaign=campaign).filter(
        ~Q(email="") | (Q(dossier_proven=True) & Exists(dossier_contact))
    ).exclude(Exists(Reverification.objects.filter(response=OuterRef("pk"))))
    if channels:
        queryset = queryset.filter(channel__in=channels)
    return queryset


def draw_sample(campaign, share=None, channels=None, user=None, units=None):
    """Draw ``share`` % (rounded up) of the reachable responses at random; return them.

    With ``units`` (a unit-scoped user's, see ``models.scopes``) only their responses.
    """
    share = get_setting("REVERIFICATION_SHARE") if share is None else share
    pool = reachable(campaign, channels)
    if units is not None:
        pool = pool.filter(unit__in=units)
    size = math.ceil(pool.count() * float(share) / 100)
    ids = list(pool.order_by("?").values_list("pk", flat=True)[:size])
    now = timezone.now()
    return Reverification.objects.bulk_create(
        Reverification(response_id=pk, campaign=campaign, drawn_at=now, drawn_by=user)
        for pk in ids)


def record_outcome(reverification, outcome, note, user):
    reverification.outcome = outcome
    reverification.note = note
    reverification.called_by = user
    reverification.called_at = timezone.now()
    reverification.save(update_fields=["outcome", "note", "called_by", "called_at"])
    return reverification


def outcome_summary(user=None):
    """Per campaign: calls drawn and how many ended in each outcome (one GROUP BY); only the
    calls of ``user``'s units when given."""
    from ..models import CallOutcome
    from ..models.scopes import restrict

    counts = {outcome.value: Count("pk", filter=Q(outcome=outcome.value))
              for outcome in CallOutcome}
    calls = Reverification.objects.all() if user is None else restrict(
        Reverification.objects.all(), user)
    return (calls.values("campaign", "campaign__title")
            .annotate(drawn=Count("pk"), **counts).order_by("campaign__title"))
