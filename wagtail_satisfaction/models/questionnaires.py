"""Versioned questionnaires: factors holding questions with typed scales."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from ..scales import NOT_APPLICABLE, NOT_APPLICABLE_LABEL, Scale, get_scale


class QuestionnaireKind(models.TextChoices):
    SIPAS = "sipas", _("Service satisfaction (SIPAS)")
    TTHC = "tthc", _("TTHC handling evaluation (0–18 points)")
    CUSTOM = "custom", _("Custom")


class Questionnaire(ClusterableModel):
    """A questionnaire version. Once answered it is frozen; editing makes a new version."""

    name = models.CharField(_("name"), max_length=255)
    code = models.SlugField(
        _("code"), max_length=64,
        help_text=_("Shared by all versions of the same questionnaire."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionnaireKind.choices,
                            default=QuestionnaireKind.CUSTOM)
    description = models.TextField(_("description"), blank=True)
    previous_version = models.ForeignKey(
        "self", verbose_name=_("previous version"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"), FieldPanel("code"), FieldPanel("kind"), FieldPanel("description"),
        InlinePanel("factors", label=_("Factors")),
    ]

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"],
                                    name="satisfaction_questionnaire_code_version"),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def has_responses(self):
        return self.pk is not None and self.responses.exists()

    def clean(self):
        if self.has_responses:
            raise ValidationError(_(
                "This questionnaire already has responses and cannot change. "
                "Create a new version instead."
            ))

    def questions(self):
        return Question.objects.filter(factor__questionnaire=self).select_related("factor")

    def question_list(self):
        """The questions in survey order, loaded once per instance (a form and the
        submission's checks share them)."""
        if getattr(self, "_question_list", None) is None:
            self._question_list = list(
                self.questions().order_by("factor__sort_order", "sort_order"))
        return self._question_list

    def question_fields(self):
        """``[(question, form field), ...]`` of :meth:`question_list`, built once per instance.

        The survey form shares these field objects (it copies them shallowly), so a
        questionnaire kept by the survey cache builds its 20-odd choice fields once.
        """
        if getattr(self, "_question_fields", None) is None:
            from ..forms import question_field

            self._question_fields = [(question, question_field(question))
                                     for question in self.question_list()]
        return self._question_fields

    @transaction.atomic
    def new_version(self):
        """Copy this questionnaire, its factors and questions as the next version."""
        latest = Questionnaire.objects.filter(code=self.code).order_by("-version").first()
        copy = Questionnaire.objects.create(
            name=self.name, code=self.code, version=latest.version + 1, kind=self.kind,
            description=self.description, previous_version=self,
        )
        for factor in self.factors.all():
            new_factor = Factor.objects.create(
                questionnaire=copy, sort_order=factor.sort_order, code=factor.code,
                title=factor.title, counts_in_index=factor.counts_in_index,
            )
            for question in factor.questions.all():
                Question.objects.create(
                    factor=new_factor, sort_order=question.sort_order, code=question.code,
                    text=question.text, help_text=question.help_text, scale=question.scale,
                    required=question.required, option_labels=question.option_labels,
                )
        return copy


class Factor(ClusterableModel, Orderable):
    """A group of questions measured together (e.g. SIPAS "Tiếp cận dịch vụ")."""

    questionnaire = ParentalKey(Questionnaire, on_delete=models.CASCADE, related_name="factors")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=255)
    counts_in_index = models.BooleanField(
        _("counts in the index"), default=True,
        help_text=_("Off for expectations and background questions."),
    )

    panels = [
        FieldPanel("code"), FieldPanel("title"), FieldPanel("counts_in_index"),
        InlinePanel("questions", label=_("Questions")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("factor")
        verbose_name_plural = _("factors")

    def __str__(self):
        return self.title


class Question(Orderable):
    """One question answered on a scale."""

    factor = ParentalKey(Factor, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices,
                             default=Scale.SATISFACTION_5)
    required = models.BooleanField(_("required"), default=True)
    option_labels = models.TextField(
        _("option labels"), blank=True,
        help_text=_('Optional, one per line as "value|label", to replace the scale\'s labels.'),
    )

    panels = [
        FieldPanel("code"), FieldPanel("text"), FieldPanel("help_text"), FieldPanel("scale"),
        FieldPanel("required"), FieldPanel("option_labels"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return f"{self.code}. {self.text}"

    @cached_property
    def spec(self):
        return get_scale(self.scale)

    def clean(self):
        for line in self.option_labels.splitlines():
            value, sep, _label = line.partition("|")
            if line.strip() and (not sep or not value.strip().lstrip("-").isdigit()
                                 or int(value) not in self.spec.values):
                raise ValidationError({"option_labels": _(
                    'Each line must be "value|label" with a value of the chosen scale.'
                )})

    def choices(self):
        """(form value, label) pairs in display order, "not applicable" last."""
        overrides = {}
        for line in self.option_labels.splitlines():
            value, sep, label = line.partition("|")
            if sep and value.strip().lstrip("-").isdigit():
                overrides[int(value)] = label.strip()
        pairs = [(str(value), overrides.get(value, label)) for value, label in self.spec.choices]
        if self.spec.allows_not_applicable:
            pairs.append((NOT_APPLICABLE, NOT_APPLICABLE_LABEL))
        return pairs
