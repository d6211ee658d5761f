"""Rules for storing a response, shared by every channel (web, kiosk, paper, import)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .formats import short_date
from .integrity.seal import seal_response
from .models import Answer, Channel, Comment, Response
from .reports.rollup import record_response
from .reports.scoring import score_answers


class DuplicateResponse(ValidationError):
    """The campaign already holds a response for this dossier code or email."""


class CampaignNotOpen(ValidationError):
    """The campaign does not accept responses today."""


def campaign_closed_message(campaign, status=None):
    status = status or campaign.status()
    if status.is_upcoming:
        return _("This survey opens on %(date)s.") % {
            "date": short_date(campaign.opens_on)}
    return _("This survey closed on %(date)s. Thank you for your interest.") % {
        "date": short_date(campaign.closes_on)}


def normalise_email(email):
    return (email or "").strip().lower()


def validate_answers(questionnaire, answers):
    """Check that answers belong to the questionnaire and fit each question's scale."""
    questions = {q.pk: q for q in questionnaire.question_list()}
    errors = []
    for question, value in answers.items():
        own = questions.get(question.pk)
        if own is None:
            errors.append(_("Question %(code)s is not part of this questionnaire.")
                          % {"code": question.code})
        elif value is None:
            if own.required and not own.spec.allows_not_applicable:
                errors.append(_("Question %(code)s needs an answer.") % {"code": own.code})
        elif value not in own.spec.values:
            errors.append(_("%(value)s is not a possible answer to question %(code)s.")
                          % {"value": value, "code": own.code})
    missing = [q for pk, q in questions.items()
               if q.required and pk not in {question.pk for question in answers}]
    for question in missing:
        errors.append(_("Question %(code)s needs an answer.") % {"code": question.code})
    if errors:
        raise ValidationError(errors)


def submit_response(campaign, *, answers, channel=Channel.WEBSITE, unit=None, procedure=None,
                    officer=None, dossier_code="", email="", comment="", entered_by=None,
                    submitted_at=None, check_open=True, uid=None, dossier_proven=False):
    """Store a response with all its answers and its comment in one transaction.

    Raises ``CampaignNotOpen``, ``ValidationError`` or ``DuplicateResponse``; in every
    such case nothing is stored. The duplicate guards are the database's unique
    constraints, so two racing submissions cannot both succeed. Only a ``dossier_proven``
    code (the caller checked the dossier's link, secret code or list) is one rating per
    dossier; any other code is a free reference that never collides.
    """
    if check_open and not campaign.is_open():
        raise CampaignNotOpen(campaign_closed_message(campaign))
    validate_answers(campaign.questionnaire, answers)
    email = (email or "").strip()
    dossier_code = (dossier_code or "").strip().upper()
    comment = (comment or "").strip()
    response = Response(
        campaign=campaign, questionnaire=campaign.questionnaire, channel=channel,
        submitted_at=submitted_at or timezone.now(),
        unit_id=(unit.pk if unit else None) or (procedure.unit_id if procedure else None)
        or (officer.unit_id if officer else None) or campaign.unit_id,
        procedure=procedure, officer=officer, dossier_code=dossier_code, email=email,
        dossier_proven=bool(dossier_proven and dossier_code),
        email_key=normalise_email(email) if campaign.one_response_per_email else "",
        entered_by=entered_by,
    )
    if uid:  # an imported response keeps the id it was exported with
        response.uid = uid
    score = score_answers(answers)
    response.index_applicable, response.index_satisfied = (score.index_applicable,
                                                           score.index_satisfied)
    response.points, response.dissatisfied = score.points, score.dissatisfied
    try:
        with transaction.atomic():
            response.save()
            Answer.objects.bulk_create(
                Answer(response=response, question=question, value=value)
                for question, value in answers.items()
            )
            if comment:
                store_comment(response, comment)
            record_response(response, answers)
            seal_response(response, answers, comment)  # tamper evidence: last, briefest lock
    except IntegrityError as error:
        if response.dossier_proven and Response.objects.filter(
                campaign=campaign, dossier_code=dossier_code, dossier_proven=True).exists():
            raise DuplicateResponse(
                _("Dossier %(code)s has already been rated in this survey. "
                  "Each dossier can be rated once.") % {"code": dossier_code},
                code="duplicate_dossier") from error
        if response.email_key and Response.objects.filter(
                campaign=campaign, email_key=response.email_key).exists():
            raise DuplicateResponse(
                _("A response with this email has already been recorded in this survey."),
                code="duplicate_email") from error
        raise
    return response


def store_comment(response, text):
    """Create the comment of a response; its automatic first sort is queued for the worker.

    Until the worker has sorted it, the comment waits in the moderation queue unscored
    (shown as not yet sorted), so a late or stopped worker loses nothing. The task is
    queued in the submission's transaction: stored together or not at all.
    """
    from .moderation.tasks import sort_comment_task

    comment = Comment.objects.create(
        response=response, campaign=response.campaign, submitted_at=response.submitted_at,
        text=text,
    )
    sort_comment_task.enqueue(comment.pk)
    return comment
