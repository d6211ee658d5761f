"""The rules for a comment's state: the automatic first sort and a person's decision.

Every change is recorded in Wagtail's history (``ModelLogEntry``) with who, when, and
from which state to which. Only the state and its bookkeeping ever change: the text is
final (see ``models.moderation.FinalCommentMixin``).
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import LogContext
from wagtail.log_actions import registry as log_registry

from .. import permissions
from ..models import Comment, ModerationState
from ..permissions import can_see_personal_data
from .classifiers import ClassifierContext, get_classifier

logger = logging.getLogger(__name__)

DECIDED_STATES = (ModerationState.RELEVANT, ModerationState.OFF_TOPIC, ModerationState.SPAM)

MODERATE_ACTION = "wagtail_satisfaction.comment.moderate"
UNDO_ACTION = "wagtail_satisfaction.comment.undo"
AUTO_SORT_ACTION = "wagtail_satisfaction.comment.auto_sort"


def log_title(comment_id):
    """The history label: never the visitor's words, which may hold personal data."""
    return _("Comment #%(id)s") % {"id": comment_id}


def sort_comment(comment, *, site=None, classifier=None):
    """The automatic first sort of a new comment: score, suggestion, matched words.

    The comment stays pending unless the site's ``ModerationSettings`` allow accepting
    confident suggestions. A failing classifier never loses the comment: it is logged and
    the comment waits for a person, unscored.
    """
    try:
        classifier = classifier or get_classifier()
        result = classifier.classify(comment.text, ClassifierContext.for_campaign(comment.campaign))
    except Exception:
        logger.exception("Comment classifier failed on comment %s", comment.pk)
        return comment
    comment.score = result.score
    comment.suggested_state = result.suggested_state
    comment.matched_terms = result.matched_terms
    fields = ["score", "suggested_state", "matched_terms"]
    settings = moderation_settings(site)
    if (settings is not None and settings.auto_accept and comment.state == ModerationState.PENDING
            and result.suggested_state in DECIDED_STATES
            and result.confidence >= auto_accept_threshold(settings, classifier)):
        comment.state = result.suggested_state
        comment.decided_at = timezone.now()
        comment.reason = _("Accepted automatically (confidence %(confidence).2f).") % {
            "confidence": result.confidence}
        fields += ["state", "decided_at", "reason"]
        comment.save(update_fields=fields)
        log_registry.log(comment, AUTO_SORT_ACTION, user=None, title=log_title(comment.pk),
                         data={"from": ModerationState.PENDING, "to": comment.state,
                               "confidence": result.confidence})
    else:
        comment.save(update_fields=fields)
    return comment


# Without a calibrated threshold (a classifier that does not measure itself) and without
# one chosen by the site, only very confident suggestions are accepted.
FALLBACK_THRESHOLD = 0.9


def auto_accept_threshold(settings, classifier):
    """The site's threshold if it set one, else the classifier's calibrated one."""
    if settings.auto_accept_threshold is not None:
        return settings.auto_accept_threshold
    calibrated = getattr(classifier, "auto_accept_threshold", None)
    return calibrated if calibrated is not None else FALLBACK_THRESHOLD


def moderation_settings(site=None):
    from wagtail.models import Site

    from ..models import ModerationSettings

    site = site or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    return ModerationSettings.for_site(site)


def decide(comments, state, user, reason=""):
    """Give ``comments`` (a queryset or ids) the ``state`` chosen by ``user``.

    One transaction: the rows are locked, updated in one UPDATE, and one history entry
    per comment that changed is written (sharing one uuid, so a bulk action reads as one
    action, and :func:`undo` can take it back). Returns the number of comments whose
    state changed.
    """
    return decide_undoably(comments, state, user, reason)[0]


def decide_undoably(comments, state, user, reason=""):
    """:func:`decide`, returning ``(changed, uuid)``: the uuid names the decision for
    :func:`undo` (``None`` when nothing changed)."""
    if not permissions.COMMENTS.user_has_permission(user, "moderate"):
        raise PermissionDenied(_("You are not allowed to moderate comments."))
    if state not in DECIDED_STATES:
        raise ValidationError(_("%(state)s is not a moderation decision.") % {"state": state})
    reason = (reason or "").strip()
    if len(reason) > Comment._meta.get_field("reason").max_length:
        raise ValidationError(_("The reason is too long (at most 255 characters)."))
    if not hasattr(comments, "values_list"):
        comments = Comment.objects.filter(pk__in=list(comments))
    now = timezone.now()
    with transaction.atomic(), LogContext(user=user) as log_context:
        rows = list(comments.select_for_update().exclude(state=state).order_by()
                    .values_list("pk", "state", "decided_by_id", "decided_at", "reason"))
        if not rows:
            return 0, None
        Comment.objects.filter(pk__in=[row[0] for row in rows]).update(
            state=state, decided_by=user, decided_at=now, reason=reason)
        log_model = log_registry.get_log_model_for_model(Comment)
        content_type = ContentType.objects.get_for_model(Comment)
        log_model.objects.bulk_create([
            log_model(content_type=content_type, object_id=str(pk), label=log_title(pk),
                      action=MODERATE_ACTION, user=user, uuid=log_context.uuid,
                      timestamp=now, data={
                          "from": from_state, "to": state, "reason": reason,
                          # What the comment was, so that undo can bring it back.
                          "previous": {"decided_by": decided_by,
                                       "decided_at": decided_at.isoformat() if decided_at
                                       else None,
                                       "reason": previous_reason}})
            for pk, from_state, decided_by, decided_at, previous_reason in rows
        ])
    return len(rows), str(log_context.uuid)


def undo(uuid, user, comments=None):
    """Take back the decision ``uuid`` that ``user`` made: each comment it changed, and
    that nobody has changed since, gets back its state, decider, date and reason.

    ``comments`` (a queryset) limits which comments may be touched (the user's units).
    The undoing is itself recorded in the history. Returns the number of comments restored.
    """
    from datetime import datetime

    if not permissions.COMMENTS.user_has_permission(user, "moderate"):
        raise PermissionDenied(_("You are not allowed to moderate comments."))
    log_model = log_registry.get_log_model_for_model(Comment)
    try:
        entries = list(log_model.objects.filter(uuid=uuid, action=MODERATE_ACTION,
                                                user=user))
    except ValidationError:  # not a uuid
        return 0
    allowed = comments if comments is not None else Comment.objects.all()
    now = timezone.now()
    restored = []
    with transaction.atomic(), LogContext(user=user) as log_context:
        locked = {comment.pk: comment for comment in allowed.select_for_update().filter(
            pk__in=[int(entry.object_id) for entry in entries])}
        for entry in entries:
            comment = locked.get(int(entry.object_id))
            if comment is None or comment.state != entry.data.get("to"):
                continue  # out of reach, or decided again since: left as it is
            previous = entry.data.get("previous") or {}
            when = previous.get("decided_at")
            Comment.objects.filter(pk=comment.pk).update(
                state=entry.data["from"], decided_by=previous.get("decided_by"),
                decided_at=datetime.fromisoformat(when) if when else None,
                reason=previous.get("reason") or "")
            restored.append(log_model(
                content_type=entry.content_type, object_id=entry.object_id,
                label=log_title(comment.pk), action=UNDO_ACTION, user=user,
                uuid=log_context.uuid, timestamp=now,
                data={"from": comment.state, "to": entry.data["from"]}))
        log_model.objects.bulk_create(restored)
    return len(restored)


def history(comment):
    """The comment's history entries, newest first."""
    return (log_registry.get_logs_for_instance(comment).select_related("user")
            .order_by("-timestamp", "-pk"))


def displayed_text(comment, user):
    """The comment's text as ``user`` may read it (masked without the permission).

    Always plain text: templates escape it like any other value.
    """
    from .privacy import mask_personal_data

    return comment.text if can_see_personal_data(user) else mask_personal_data(comment.text)
