"""What visitors submit: a response, its answers, and its comment.

Answers are one row per question with a small integer value, so that every figure of a
report is a single SQL aggregate (``COUNT``/``FILTER``/``GROUP BY``) over this table.
Responses are never edited after they are stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..scales import NOT_APPLICABLE_LABEL
from .moderation import CommentQuerySet, FinalCommentMixin
from .reports import new_uid


class Channel(models.TextChoices):
    WEBSITE = "website", _("Website")
    KIOSK = "kiosk", _("Kiosk at the counter")
    PAPER = "paper", _("Paper form")
    EMAIL = "email", _("Email")
    POST = "post", _("Post")
    FAX = "fax", _("Fax")
    ZALO = "zalo", _("Zalo")
    PHONE = "phone", _("Phone")
    DOSSIER_LINK = "dossier_link", _("Dossier link / QR code")


class Response(models.Model):
    """One person's completed survey."""

    # Citizens' rows reference no pages or documents: keeping them out of Wagtail's
    # reference index spares every submit its index tasks (wagtail-modeladmin registers them).
    wagtail_reference_index_ignore = True

    # No index of its own: (campaign, submitted_at) and the unique guards lead with it.
    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.PROTECT, related_name="responses",
                                 db_index=False)
    questionnaire = models.ForeignKey(
        "wagtail_satisfaction.Questionnaire", verbose_name=_("questionnaire"),
        on_delete=models.PROTECT, related_name="responses",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices,
                               default=Channel.WEBSITE)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    unit = models.ForeignKey("wagtail_satisfaction.Unit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="responses",
                             db_index=False)  # (unit, submitted_at) leads with it
    procedure = models.ForeignKey("wagtail_satisfaction.Procedure",
                                  verbose_name=_("procedure"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="responses")
    officer = models.ForeignKey("wagtail_satisfaction.Officer", verbose_name=_("officer"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="responses")
    dossier_code = models.CharField(_("dossier code"), max_length=64, blank=True)
    # True only when whoever rated proved the dossier: its signed link or QR slip, its code
    # + secret code, or staff typing a code found in the dossier list (audited). Only a
    # proven dossier is rated once; an unproven code is a free reference that guards nothing.
    dossier_proven = models.BooleanField(_("dossier proven"), default=False, editable=False)
    email = models.EmailField(_("email"), blank=True)
    # Normalised email, set only when the campaign allows one response per email, so the
    # database's unique constraint enforces that rule without a racy "exists?" query.
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Staff member who typed in a paper, phone or post response."),
    )
    # Reports: a stable id that travels with exports, so a re-imported file is recognised,
    # and the response's scores, set once by submit_response (see reports.scoring).
    uid = models.UUIDField(_("response id"), default=new_uid, unique=True, null=True,
                           editable=False)
    # Set by the personal-data purge (retention.purge) once the email is erased and the
    # comment's and re-verification note's personal data masked; later purges skip the row.
    personal_data_erased_at = models.DateTimeField(_("personal data erased at"), null=True,
                                                   blank=True, editable=False)
    index_applicable = models.PositiveSmallIntegerField(default=0, editable=False)
    index_satisfied = models.PositiveSmallIntegerField(default=0, editable=False)
    points = models.PositiveSmallIntegerField(null=True, editable=False)
    dissatisfied = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-submitted_at"]
        permissions = [
            ("export_response", _("Can export results")),
            ("view_personal_data", _("Can see respondents' personal data")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "dossier_code"],
                condition=Q(dossier_proven=True) & ~Q(dossier_code=""),
                name="satisfaction_one_response_per_proven_dossier",
            ),
            models.UniqueConstraint(
                fields=["campaign", "email_key"], condition=~Q(email_key=""),
                name="satisfaction_one_response_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "submitted_at"]),
            models.Index(fields=["unit", "submitted_at"]),
            models.Index(fields=["channel"]),
            # A report's raw rows of one channel over a few days (reports.stats._days).
            models.Index(fields=["campaign", "channel", "submitted_at"]),
        ]

    def __str__(self):
        return _("Response #%(id)s") % {"id": self.pk}

    def answer_rows(self):
        """Answers in questionnaire order, each with a ``label`` for display."""
        answers = self.answers.select_related("question__factor").order_by(
            "question__factor__sort_order", "question__sort_order")
        for answer in answers:
            labels = dict(answer.question.choices())
            answer.label = (NOT_APPLICABLE_LABEL if answer.value is None
                            else labels.get(str(answer.value), answer.value))
        return answers


class Answer(models.Model):
    """The value given to one question; NULL means "not applicable / no answer"."""

    # No single-column indexes: the unique (response, question) and the (question, value)
    # index lead with each, and every submission writes about 27 answer rows.
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers",
                                 db_index=False)
    question = models.ForeignKey("wagtail_satisfaction.Question", on_delete=models.PROTECT,
                                 related_name="answers", db_index=False)
    value = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"],
                                    name="satisfaction_one_answer_per_question"),
        ]
        indexes = [models.Index(fields=["question", "value"])]

    def __str__(self):
        return f"{self.question_id}={self.value}"


class ModerationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RELEVANT = "relevant", _("Relevant (about procedure handling)")
    OFF_TOPIC = "off_topic", _("Off-topic")
    SPAM = "spam", _("Spam")


class Comment(FinalCommentMixin, models.Model):
    """The free-text comment of a response, with its moderation state.

    Only comments moderated as relevant count in reports; the text itself never changes.
    ``campaign`` and ``submitted_at`` are copied from the response so the moderation queue
    is served by one index.
    """

    # Citizens' rows reference no pages or documents: keeping them out of Wagtail's
    # reference index spares every submit its index tasks (wagtail-modeladmin registers them).
    wagtail_reference_index_ignore = True

    response = models.OneToOneField(Response, on_delete=models.CASCADE,
                                    related_name="comment")
    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", on_delete=models.PROTECT,
                                 related_name="comments", verbose_name=_("campaign"))
    submitted_at = models.DateTimeField(_("submitted at"))
    text = models.TextField(_("comment"))
    state = models.CharField(_("state"), max_length=10, choices=ModerationState.choices,
                             default=ModerationState.PENDING)
    score = models.FloatField(_("relevance score"), null=True, blank=True)
    suggested_state = models.CharField(_("suggested state"), max_length=10, blank=True,
                                       choices=ModerationState.choices)
    matched_terms = models.JSONField(_("matched words"), default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # Lower-case, accent-free copy of ``text`` (see moderation.text.fold), set once on
    # creation, so the queue's search is accent-insensitive inside the database.
    text_folded = models.TextField(editable=False, default="")

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["-submitted_at"]
        permissions = [("moderate_comment", _("Can moderate comments"))]
        indexes = [
            models.Index(fields=["state", "campaign", "-submitted_at"],
                         name="satisfaction_comment_queue"),
        ]

    def __str__(self):
        # Never the visitor's words: titles, breadcrumbs and logs must not leak personal data
        # to users who may not see it.
        return _("Comment on response #%(id)s") % {"id": self.response_id}
