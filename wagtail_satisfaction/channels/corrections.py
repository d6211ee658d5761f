"""Correcting a typed form (paper, post, fax, email, Zalo, phone), tamper-evidently.

Who and until when (see docs/channels.md, "Correcting a typed form"):

* the staff member who typed a form corrects it on the day they typed it (the report time
  zone's day), from "Your last entries" under the entry screen;
* a reviewer (``change_staffentry``, given to the ISO secretary) corrects any typed form of
  their units until the campaign's report is closed: the last report deadline of its rounds,
  or, when no round has one, ``CORRECTION_DAYS_AFTER_CLOSE`` days after it closes.

Only the answers, the procedure, the officer and the comment are corrected; the form's
number, batch, channel, date, dossier code and email stay as typed. Responses given by
citizens themselves (website, kiosk, dossier link) have no staff entry and are never
corrected.

A correction is not a silent edit: in one transaction it records who, when, why and the
content before and after (:class:`~wagtail_satisfaction.models.EntryCorrection`), moves the
response's contribution in the daily tallies, and appends a link to the campaign's seal
chain that seals the corrected content, so ``satisfaction_verify`` stays green and still
finds any edit made behind the product's back, before or after the correction.
"""

import datetime
import json

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from .. import permissions
from ..conf import get_setting
from ..forms import question_field_name
from ..integrity.keys import get_keyring
from ..integrity.seal import (
    CONTACT_FIELD,
    SEALED_FIELDS,
    content_as_sealed,
    link_matches,
    seal_correction,
)
from ..models import (
    Answer,
    Comment,
    EntryCorrection,
    Officer,
    Procedure,
    Response,
    ResponseSeal,
    StaffEntry,
)
from ..models.scopes import restrict, units_for
from ..reports.rollup import local_day, move_response, report_zone, take_pending
from ..reports.scoring import score_answers
from ..scales import NOT_APPLICABLE_LABEL
from .paper import NOT_APPLICABLE_DIGIT, STAFF_CHANNELS, StaffEntryForm

LOG_ACTION = "wagtail_satisfaction.staff_entry_correction"
MODERATION_RESET = {"state": "pending", "score": None, "suggested_state": "",
                    "matched_terms": [], "decided_by": None, "decided_at": None, "reason": ""}


def is_reviewer(user):
    return permissions.STAFF_ENTRIES.user_has_permission(user, "change")


def correctable_entries(user):
    """The typed forms ``user`` may open for correction (the time window aside)."""
    entries = StaffEntry.objects.select_related("response", "campaign", "entered_by")
    if is_reviewer(user):
        return restrict(entries, user)
    if permissions.STAFF_ENTRIES.user_has_permission(user, "add"):
        return restrict(entries.filter(entered_by=user), user)
    return entries.none()


def _end_of(day):
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(),
                                     report_zone())


def report_closes(campaign):
    """When the campaign's report is closed: the end of its last report deadline, else the
    end of the day ``CORRECTION_DAYS_AFTER_CLOSE`` days after its closing day."""
    deadlines = [day for day in campaign.rounds.values_list("report_deadline", flat=True)
                 if day]
    last = max(deadlines) if deadlines else campaign.closes_on + datetime.timedelta(
        days=get_setting("CORRECTION_DAYS_AFTER_CLOSE"))
    return _end_of(last)


def correctable_until(entry, user):
    """Until when ``user`` may correct ``entry`` (one they may open)."""
    until = _end_of(local_day(entry.entered_at)) if entry.entered_by_id == user.pk else None
    if is_reviewer(user):
        closes = report_closes(entry.campaign)
        until = closes if until is None else max(until, closes)
    return until


def can_correct(entry, user, now=None):
    until = correctable_until(entry, user)
    return until is not None and (now or timezone.now()) < until


def latest_link(response):
    """The last link of the chain that seals ``response``: its seal or its last correction's."""
    return (ResponseSeal.objects.filter(Q(response_id=response.pk)
                                        | Q(correction__response_id=response.pk))
            .order_by("-seq").first())


class CorrectionForm(StaffEntryForm):
    """The entry form, prefilled with the stored form; only what may be corrected, a reason,
    and the link it was drawn from (a form corrected meanwhile by someone else is refused)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"), max_length=255,
        help_text=gettext_lazy("For example: answer 4 of question 7 was typed as 2."))
    version = forms.CharField(widget=forms.HiddenInput)

    KEPT = ("form_number", "batch", "channel", "filled_on", "dossier_code", "email")

    def __init__(self, data=None, *, entry, user=None, **kwargs):
        response = entry.response
        self.entry = entry
        link = latest_link(response)
        initial = {"procedure": response.procedure_id, "officer": response.officer_id,
                   "version": link.digest if link else ""}
        comment = Comment.objects.filter(response=response).values_list("text", flat=True)
        initial["comment"] = comment.first() or ""
        for question_id, value in response.answers.values_list("question_id", "value"):
            initial[f"q_{question_id}"] = NOT_APPLICABLE_DIGIT if value is None else str(value)
        super().__init__(data, campaign=entry.campaign, initial=initial, **kwargs)
        for name in self.KEPT:
            self.fields.pop(name, None)
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        if user is not None:
            # A reviewer bound to some units moves a form only among their own units'
            # procedures and officers (the campaign may reach further).
            for name in ("procedure", "officer"):
                if name in self.fields:
                    self.fields[name].queryset = restrict(self.fields[name].queryset, user)
            if "procedure" in self.fields:
                self.group_procedures(self.fields["procedure"])
        self.order_fields(["procedure", "officer"]
                          + [question_field_name(q) for q in self.questions]
                          + ["comment", "reason", "version"])

    def about_fields(self):
        return [self[name] for name in ("procedure", "officer") if name in self.fields]


def _snapshot(response):
    """A copy of what the tallies and the seal read of a response."""
    copy = Response(**{field.attname: getattr(response, field.attname)
                       for field in Response._meta.concrete_fields})
    return copy


def _row(response):
    row = {name: getattr(response, name) for name in SEALED_FIELDS}
    row[CONTACT_FIELD] = response.email
    return row


def stale_message():
    return _("This form was corrected by someone else meanwhile. Its current content is "
             "shown below: check it and correct it again if needed.")


@transaction.atomic
def correct_entry(entry, form, user):
    """Store the correction of a typed form from a valid :class:`CorrectionForm`.

    Raises ``ValidationError`` (nothing stored) when the response is not a typed form,
    the user may not correct it (or no longer), someone corrected it since the form was
    drawn, nothing changed, or its stored content no longer matches its seal (an edit
    behind the product's back: a correction must not launder it).
    """
    # The response's row only (a join would lock the campaign's row too, which every
    # submission to the campaign references).
    response = Response.objects.select_for_update().get(pk=entry.response_id)
    if response.channel not in STAFF_CHANNELS or response.entered_by_id is None:
        raise ValidationError(_("Only forms typed in by staff can be corrected."))
    if not can_correct(entry, user):
        raise ValidationError(_("The time for correcting this form has passed."))
    if response.questionnaire_id != entry.campaign.questionnaire_id:
        raise ValidationError(_("The campaign's questionnaire changed since this form was "
                                "typed: it can no longer be corrected."))
    link = latest_link(response)
    if link is None or link.digest != form.cleaned_data["version"]:
        raise ValidationError(stale_message())
    key = get_keyring().get(link.key_id)
    questions = form.questions
    order = {question.pk: index for index, question in enumerate(questions)}
    stored = sorted(Answer.objects.filter(response=response).values_list("question_id", "value"),
                    key=lambda pair: order.get(pair[0], len(order)))
    comment = Comment.objects.filter(response=response).first()
    before = content_as_sealed(link, key, _row(response), stored,
                               comment.text if comment else None) if key else None
    if before is None or not link_matches(link, key, before):
        raise ValidationError(_("This form's stored content no longer matches its seal, so it "
                                "cannot be corrected. Ask the ISO secretary to run the "
                                "integrity check."))

    data = form.cleaned_data
    answers = form.answers()
    new_answers = [(question.pk, value) for question, value in answers.items()]
    text = (data.get("comment") or "").strip()
    procedure = data.get("procedure") if "procedure" in form.fields else response.procedure
    officer = data.get("officer") if "officer" in form.fields else response.officer
    old_text = comment.text if comment else ""
    if (dict(stored) == dict(new_answers) and text == old_text
            and getattr(procedure, "pk", None) == response.procedure_id
            and getattr(officer, "pk", None) == response.officer_id):
        raise ValidationError(_("Nothing was changed: the form is as stored."))

    # Before any change: a response still queued for the tallies (PostgreSQL) is taken
    # out of the queue and added as corrected; else its counted contribution is moved.
    unit_id = ((procedure.unit_id if procedure else None)
               or (officer.unit_id if officer else None) or entry.campaign.unit_id)
    units = units_for(user)
    if units is not None and not units.filter(pk=unit_id).exists():
        raise ValidationError(_("A corrected form must stay in one of your units: choose a "
                                "procedure or an officer of your units."))
    queued = take_pending(response.pk)
    old = _snapshot(response)
    response.procedure, response.officer, response.unit_id = procedure, officer, unit_id
    score = score_answers(answers)
    response.index_applicable, response.index_satisfied = (score.index_applicable,
                                                           score.index_satisfied)
    response.points, response.dissatisfied = score.points, score.dissatisfied
    response.save(update_fields=["procedure", "officer", "unit", "index_applicable",
                                 "index_satisfied", "points", "dissatisfied"])
    was = dict(stored)
    for question_id, value in new_answers:
        if question_id not in was:
            Answer.objects.create(response=response, question_id=question_id, value=value)
        elif was[question_id] != value:
            # The one path that changes a stored rating: sealed below as a correction.
            Answer.objects.filter(response=response, question_id=question_id).update(
                value=value)
    Answer.objects.filter(response=response).exclude(
        question_id__in=[question_id for question_id, _value in new_answers]).delete()
    _correct_comment(response, comment, text)
    move_response(None if queued else (old, stored), (response, new_answers))

    correction = EntryCorrection.objects.create(
        campaign_id=response.campaign_id, response=response, corrected_by=user,
        reason=data["reason"].strip(), before=before.decode(), after="")
    seal_correction(correction, _row(response), new_answers, text or None)
    correction.save(update_fields=["after"])
    log(instance=response, action=LOG_ACTION, user=user, data={
        "campaign": response.campaign_id, "form_number": entry.form_number,
        "correction": correction.pk, "reason": correction.reason,
        "changes": [[label, was_shown, now_shown]
                    for label, was_shown, now_shown in changes(correction)],
    })
    return correction


def _correct_comment(response, comment, text):
    """The typed comment as corrected; a changed text is sorted again from the start."""
    from ..moderation.tasks import sort_comment_task
    from ..services import store_comment

    if comment is None:
        if text:
            sort_comment_task.enqueue(store_comment(response, text).pk)
        return
    if not text:
        comment.delete()
        return
    if text != comment.text:
        from ..moderation.text import fold

        # Comments are final for everyone else (CommentQuerySet.update refuses the text).
        models.QuerySet.update(Comment.objects.filter(pk=comment.pk), text=text,
                               text_folded=fold(text), **MODERATION_RESET)
        sort_comment_task.enqueue(comment.pk)


# --- Showing a correction --------------------------------------------------------------


def _content(text):
    content = json.loads(text) if text else {}
    return {"answers": {question: value for question, value in content.get("answers", [])},
            "procedure": content.get("procedure_id"), "officer": content.get("officer_id"),
            "comment": content.get("comment") or ""}


def changes(correction):
    """``[(what, before, after)]`` for what a correction changed, in words."""
    from ..models import Question

    old, new = _content(correction.before), _content(correction.after)
    rows = []
    for field, model, label in (("procedure", Procedure, _("Procedure")),
                                ("officer", Officer, _("Officer"))):
        if old[field] != new[field]:
            names = {obj.pk: str(obj) for obj in model.objects.filter(
                pk__in=[pk for pk in (old[field], new[field]) if pk])}
            rows.append((label, names.get(old[field], "—"), names.get(new[field], "—")))
    changed = [question for question in set(old["answers"]) | set(new["answers"])
               if old["answers"].get(question) != new["answers"].get(question)]
    questions = Question.objects.filter(pk__in=changed).select_related("factor").order_by(
        "factor__sort_order", "sort_order")
    for question in questions:
        labels = dict(question.choices())

        def shown(value, labels=labels):
            if value is None:
                return str(NOT_APPLICABLE_LABEL)
            return f"{value} ({labels.get(str(value), value)})"

        rows.append((f"{question.code}. {question.text}",
                     shown(old["answers"].get(question.pk)),
                     shown(new["answers"].get(question.pk))))
    if old["comment"] != new["comment"]:
        rows.append((_("Comment"), old["comment"] or "—", new["comment"] or "—"))
    return [(str(label), str(was), str(now)) for label, was, now in rows]
