"""Email invitations to rate a dossier: one invitation, at most one reminder, an opt-out.

Sending runs as a background task (django-tasks), in batches of
``WAGTAIL_SATISFACTION_INVITATION_BATCH_SIZE`` messages per SMTP connection. A batch is
claimed (stamped) before it is sent, so a task run again, or two at once, never mails anyone
twice; what a failing server did not take is released. Opt-outs are re-checked per batch.
"""

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from ..conf import get_setting
from ..models import Campaign, Channel, Dossier, Response
from ..reports.stats import share
from . import backends, dossiers

INVITATION, REMINDER = "invitation", "reminder"


def candidates(campaign, kind=INVITATION, now=None):
    """Dossiers to mail now: ratable, with an email, not opted out, not yet answered."""
    now = now or timezone.now()
    queryset = dossiers.ratable_dossiers(dossiers.dossiers_in_scope(campaign))
    queryset = dossiers.unanswered(queryset.exclude(email="").filter(opted_out=False), campaign)
    if kind == REMINDER:
        delay = datetime.timedelta(days=get_setting("REMINDER_AFTER_DAYS"))
        queryset = queryset.filter(invited_at__isnull=False, invited_at__lte=now - delay,
                                   reminded_at__isnull=True)
    else:
        queryset = queryset.filter(invited_at__isnull=True)
    return queryset.order_by("pk")


def build_message(dossier, campaign, kind=INVITATION, qr_code=False):
    """The email for one dossier, in the site's language, with its rating and opt-out links
    (and, with ``qr_code``, the QR code of the rating link as an inline image)."""
    context = {
        "dossier": dossier, "campaign": campaign, "reminder": kind == REMINDER,
        "rating_url": dossiers.rating_url(dossier, Channel.EMAIL),
        "opt_out_url": dossiers.opt_out_url(dossier), "qr_code": qr_code,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("wagtail_satisfaction/channels/email_subject.txt",
                                   context).strip()
        body = render_to_string("wagtail_satisfaction/channels/email_invitation.txt", context)
        html = render_to_string("wagtail_satisfaction/channels/email_invitation.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, to=[dossier.email],
        headers={"List-Unsubscribe": f"<{context['opt_out_url']}>"},
    )
    message.attach_alternative(html, "text/html")
    if qr_code:
        message.mixed_subtype = "related"
        image = MIMEImage(dossiers.qr_png(context["rating_url"]), "png")
        image.add_header("Content-ID", f"<{QR_CONTENT_ID}>")
        image.add_header("Content-Disposition", "inline", filename="qr.png")
        message.attach(image)
    return message


QR_CONTENT_ID = "rating-qr"


def build_sms(dossier):
    """The SMS for one dossier, in the site's language: its code and rating link."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Dossier %(code)s: your result has been returned. Please rate how it was "
                 "handled: %(url)s") % {"code": dossier.code,
                                         "url": dossiers.rating_url(dossier, Channel.DOSSIER_LINK)}
    return backends.SmsMessage(to=dossier.phone, text=text)


@dataclass
class SendReport:
    kind: str
    sent: int = 0
    batches: int = 0
    failed: list = field(default_factory=list)  # dossier codes the server refused

    def as_dict(self):
        return asdict(self)


def send(campaign, kind=INVITATION, batch_size=None, now=None):
    """Send invitations (or reminders) for ``campaign`` in batches; return a SendReport."""
    batch_size = batch_size or get_setting("INVITATION_BATCH_SIZE")
    report = SendReport(kind=kind)
    if backends.get_backend(backends.EMAIL) is None:  # the site sends no email
        return report
    ids = list(candidates(campaign, kind, now).values_list("pk", flat=True))
    stamp = "reminded_at" if kind == REMINDER else "invited_at"
    for start in range(0, len(ids), batch_size):
        claimed = claim(campaign, kind, now, ids[start:start + batch_size], stamp)
        if not claimed:
            continue
        unsent = {dossier.pk for dossier in claimed}
        try:
            with backends.get_backend(backends.EMAIL) as backend:
                for dossier in claimed:
                    if backend.send(build_message(dossier, campaign, kind)):
                        report.sent += 1
                    else:  # the server refused this address
                        report.failed.append(dossier.code)
                    unsent.discard(dossier.pk)
        finally:
            # The server went away mid-batch: release what was not sent, for the next run.
            if unsent:
                Dossier.objects.filter(pk__in=unsent).update(**{stamp: None})
        report.batches += 1
    return report


def claim(campaign, kind, now, ids, stamp):
    """Stamp and return the dossiers of ``ids`` still to be mailed.

    Re-reads the candidates (someone may have opted out or answered meanwhile); on
    PostgreSQL rows another worker is claiming are skipped, so two tasks running at once
    never mail the same person.
    """
    with transaction.atomic():
        pks = list(candidates(campaign, kind, now).filter(pk__in=ids)
                   .select_for_update(skip_locked=True, of=("self",))
                   .values_list("pk", flat=True))
        Dossier.objects.filter(pk__in=pks).update(**{stamp: timezone.now()})
    return list(Dossier.objects.filter(pk__in=pks).select_related("unit", "procedure")
                .order_by("pk"))


@task()
def send_invitations_task(campaign_id, kind=INVITATION):
    """Background task: send a campaign's invitations or reminders."""
    return send(Campaign.objects.get(pk=campaign_id), kind).as_dict()


def enqueue(campaign, kind=INVITATION):
    return send_invitations_task.enqueue(campaign.pk, kind)


# --- The invitation sent when a result is returned ---------------------------------------

def invite_on_return(dossier_id, now=None):
    """Invite the applicant of a dossier whose result was just returned, exactly once.

    By email (link and QR code) when the dossier has an address, and by SMS when it has a
    phone number and an SMS backend is configured. Nothing is sent to someone who opted
    out, for a dossier not ratable yet, already rated or without an open survey. The
    dossier is claimed first with one conditional UPDATE (``invited_at`` still empty), so
    of two workers, or a task run twice, only one sends; a send that reached nobody
    releases the claim and raises, for the worker to retry.
    """
    dossier = (Dossier.objects.select_related("unit", "procedure", "officer")
               .filter(pk=dossier_id).first())
    if dossier is None or dossier.opted_out:
        return {"sent": [], "reason": "opted_out" if dossier else "no_dossier"}
    if not dossiers.is_ratable(dossier):
        return {"sent": [], "reason": "not_ratable"}
    campaign = dossiers.campaign_for(dossier)
    if campaign is None:
        return {"sent": [], "reason": "no_campaign"}
    if dossiers.is_rated(dossier, campaign):
        return {"sent": [], "reason": "already_rated"}
    email_backend = backends.get_backend(backends.EMAIL) if dossier.email else None
    sms_backend = backends.get_backend(backends.SMS) if dossier.phone else None
    if email_backend is None and sms_backend is None:
        return {"sent": [], "reason": "no_contact"}
    claimed = Dossier.objects.filter(pk=dossier.pk, invited_at__isnull=True,
                                     opted_out=False).update(invited_at=now or timezone.now())
    if not claimed:
        return {"sent": [], "reason": "already_invited"}
    sent, problem = [], None
    outgoing = []
    if email_backend is not None:
        outgoing.append((email_backend,
                         lambda: build_message(dossier, campaign, qr_code=True)))
    if sms_backend is not None:
        outgoing.append((sms_backend, lambda: build_sms(dossier)))
    for backend, build in outgoing:
        try:
            with backend:
                if backend.send(build()):
                    sent.append(backend.channel)
        except OSError as error:
            problem = error
    if not sent:
        Dossier.objects.filter(pk=dossier.pk).update(invited_at=None)
        if problem is not None:
            raise problem
        return {"sent": [], "reason": "refused"}
    return {"sent": sent, "reason": ""}


@task()
def invite_on_return_task(dossier_id):
    """Background task: the invitation of a dossier whose result was returned."""
    return invite_on_return(dossier_id)


def enqueue_on_return(dossier):
    """Queue the dossier's invitation once the current transaction commits."""
    transaction.on_commit(lambda: invite_on_return_task.enqueue(dossier.pk))


# --- Response rates against the target ------------------------------------------------

def target_rate(campaign):
    if campaign.target_return_rate is not None:
        return Decimal(campaign.target_return_rate)
    return Decimal(get_setting("RETURN_RATE_TARGET"))


def _rate_counts(campaign):
    answered = Exists(Response.objects.filter(campaign=campaign, dossier_code=OuterRef("code"),
                                              dossier_proven=True))
    return {"dossiers": Count("pk"),
            "invited": Count("pk", filter=Q(invited_at__isnull=False)),
            "reminded": Count("pk", filter=Q(reminded_at__isnull=False)),
            "opted_out": Count("pk", filter=Q(opted_out=True)),
            "answered": Count("pk", filter=Q(answered))}


def _with_rate(row, target):
    rate = share(row["answered"], row["dossiers"], places=2)
    return {**row, "rate": rate, "target": target,
            "meets_target": rate is not None and rate >= target}


def response_total(campaign):
    """The same figures as :func:`response_rates` for the campaign's whole scope."""
    row = (dossiers.ratable_dossiers(dossiers.dossiers_in_scope(campaign))
           .aggregate(**_rate_counts(campaign)))
    return _with_rate(row, target_rate(campaign))


def response_rates(campaign):
    """Per unit: ratable dossiers, invited, reminded, answered, rate (%) and target met.

    One GROUP BY query; a dossier counts as answered when the campaign holds a response
    with its code, whatever the channel (kiosk, paper, link, email).
    """
    rows = (dossiers.ratable_dossiers(dossiers.dossiers_in_scope(campaign))
            .values("unit", "unit__name", "unit__path")
            .annotate(**_rate_counts(campaign))
            .order_by("unit__path"))
    target = target_rate(campaign)
    return [_with_rate(row, target) for row in rows]
