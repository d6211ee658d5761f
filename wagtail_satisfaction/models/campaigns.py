"""Survey campaigns: who is surveyed, with which questionnaire, when, and the targets."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from ..conf import get_setting


class EmailPolicy(models.TextChoices):
    HIDDEN = "hidden", _("Not asked")
    OPTIONAL = "optional", _("Optional")
    REQUIRED = "required", _("Required")


class DossierCodeCheck(models.TextChoices):
    SECRET = "secret", _("Ask the secret code too: the dossier is proven and rated once")
    REFERENCE = "reference", _("Free reference: stored as typed, proves nothing, guards nothing")


class SurveyLayout(models.TextChoices):
    """How the survey form is laid out for visitors (website, survey page, block, dossier)."""

    STEPS = "steps", _("One factor per step, with Continue and Back (suits phones)")
    ONE_PAGE = "one_page", _("All questions on one page")


class Aggregation(models.TextChoices):
    MEAN_OF_ITEMS = "mean_of_items", _("Factor = mean of its items' satisfaction rates")
    POOLED = "pooled", _("Factor = satisfied answers / applicable answers of all its items")


class CampaignStatus(models.TextChoices):
    """Where a campaign stands on a given day (:meth:`Campaign.status`)."""

    UPCOMING = "upcoming", pgettext_lazy("campaign status", "Upcoming")
    OPEN = "open", pgettext_lazy("campaign status", "Open")
    CLOSED = "closed", pgettext_lazy("campaign status", "Closed")

    @property
    def is_upcoming(self):
        return self is CampaignStatus.UPCOMING

    @property
    def is_open(self):
        return self is CampaignStatus.OPEN

    @property
    def is_closed(self):
        return self is CampaignStatus.CLOSED


class Campaign(ClusterableModel):
    """A survey run by a unit with one questionnaire over a period."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    unit = models.ForeignKey("wagtail_satisfaction.Unit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="campaigns")
    questionnaire = models.ForeignKey(
        "wagtail_satisfaction.Questionnaire", verbose_name=_("questionnaire"),
        on_delete=models.PROTECT, related_name="campaigns",
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("Last day answers are accepted."))
    intro = models.TextField(_("introduction"), blank=True)
    thank_you = models.TextField(
        _("thank-you message"), blank=True,
        default=_("Thank you. Your evaluation has been recorded."),
    )
    email_policy = models.CharField(_("contact email"), max_length=10,
                                    choices=EmailPolicy.choices, default=EmailPolicy.OPTIONAL)
    one_response_per_email = models.BooleanField(
        _("one response per email"), default=False,
        help_text=_("Refuse a second response with the same email in this campaign."),
    )
    ask_procedure = models.BooleanField(_("ask which procedure"), default=True)
    ask_officer = models.BooleanField(_("ask which officer"), default=True)
    ask_dossier_code = models.BooleanField(_("ask for the dossier code"), default=True)
    dossier_code_check = models.CharField(
        _("typed dossier code"), max_length=10, choices=DossierCodeCheck.choices,
        default=DossierCodeCheck.SECRET,
        help_text=_("With the secret code, a typed dossier code is checked against the dossier "
                    "list and the dossier can be rated once. As a free reference, anyone can "
                    "type any code: it is kept with the response but proves nothing, two "
                    "responses may carry the same code, and the dossier can still be rated "
                    "by its holder."),
    )
    survey_layout = models.CharField(
        _("survey layout"), max_length=10, choices=SurveyLayout.choices,
        default=SurveyLayout.STEPS,
        help_text=_("In steps, the visitor answers one factor at a time and sees how far "
                    "along they are; answers are kept when going back and stored only when "
                    "the last step is sent. The kiosk always shows one page."),
    )
    aggregation = models.CharField(_("index aggregation"), max_length=20,
                                   choices=Aggregation.choices, default=Aggregation.MEAN_OF_ITEMS)
    target_responses = models.PositiveIntegerField(
        _("minimum responses"), null=True, blank=True)
    target_dossier_share = models.DecimalField(
        _("minimum share of dossiers (%)"), max_digits=5, decimal_places=2, null=True,
        blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)])
    target_return_rate = models.DecimalField(
        _("minimum share of forms returned (%)"), max_digits=5, decimal_places=2, null=True,
        blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)])

    publish_results = models.BooleanField(
        _("publish results as open data"), default=False,
        help_text=_("Lists the campaign's aggregated figures (per unit, month, question and "
                    "factor) in the open-data API. Never individual responses."))

    panels = [
        FieldPanel("title"), FieldPanel("slug"), FieldPanel("unit"),
        FieldPanel("questionnaire"),
        FieldRowPanel([FieldPanel("opens_on"), FieldPanel("closes_on")]),
        FieldPanel("intro"), FieldPanel("thank_you"),
        MultiFieldPanel([
            FieldPanel("email_policy"), FieldPanel("one_response_per_email"),
            FieldPanel("ask_procedure"), FieldPanel("ask_officer"),
            FieldPanel("ask_dossier_code"), FieldPanel("dossier_code_check"),
            FieldPanel("survey_layout"),
        ], heading=_("What the form asks")),
        MultiFieldPanel([
            FieldPanel("target_responses"), FieldPanel("target_dossier_share"),
            FieldPanel("target_return_rate"), FieldPanel("aggregation"),
            FieldPanel("publish_results"),
        ], heading=_("Targets and reporting")),
        InlinePanel("rounds", label=_("Rounds (đợt)")),
    ]

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-opens_on", "title"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The campaign cannot close before it opens.")})

    def local_today(self):
        from zoneinfo import ZoneInfo

        return timezone.now().astimezone(ZoneInfo(get_setting("REPORT_TIME_ZONE"))).date()

    def status(self, today=None):
        """The :class:`CampaignStatus` on the given local date (default: today)."""
        today = today or self.local_today()
        if today < self.opens_on:
            return CampaignStatus.UPCOMING
        if today > self.closes_on:
            return CampaignStatus.CLOSED
        return CampaignStatus.OPEN

    def is_open(self, today=None):
        return self.status(today).is_open

    def minutes_to_answer(self):
        """The minutes the survey takes, announced by its form, banner and invitations:
        its questions times ``SECONDS_PER_QUESTION``, rounded up (at least one)."""
        import math

        from ..conf import get_setting

        count = len(self.questionnaire.question_list())
        return max(1, math.ceil(count * get_setting("SECONDS_PER_QUESTION") / 60))

    def procedures(self):
        from .units import Procedure, Unit

        return Procedure.objects.filter(
            is_active=True, unit__in=Unit.objects.within(self.unit)
        ).select_related("sector")

    def officers(self):
        from .units import Officer, Unit

        return Officer.objects.filter(is_active=True, unit__in=Unit.objects.within(self.unit))


class Round(Orderable):
    """A named aggregation round ("Đợt 1") with its reporting deadline."""

    campaign = ParentalKey(Campaign, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    report_deadline = models.DateField(_("report deadline"), null=True, blank=True)

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on"),
                       FieldPanel("report_deadline")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("round")
        verbose_name_plural = _("rounds")

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A round cannot end before it starts.")})
