"""A page type that hosts one campaign's survey: the natural Wagtail way to place it."""

from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class SurveyPage(Page):
    """Shows a campaign's survey form and takes its submissions."""

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.PROTECT, related_name="pages")
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("campaign"), FieldPanel("intro")]

    template = "wagtail_satisfaction/survey_page.html"
    # The survey flow that serves the page, as a dotted path: a site may name its own
    # subclass, and the models never import the public flow.
    flow_class = "wagtail_satisfaction.flow.PageSurveyFlow"

    class Meta:
        verbose_name = _("survey page")
        verbose_name_plural = _("survey pages")

    def get_flow(self):
        return import_string(self.flow_class)(self)

    def serve(self, request, *args, **kwargs):
        return self.get_flow().serve(request)

    def serve_preview(self, request, mode_name):
        return self.get_flow().render(request)


class ResultsPage(Page):
    """Publishes a campaign's results for the unit and period the editor chooses."""

    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", verbose_name=_("campaign"),
                                 on_delete=models.PROTECT, related_name="results_pages")
    unit = models.ForeignKey("wagtail_satisfaction.Unit", verbose_name=_("unit"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text=_("Includes its sub-units; empty: the campaign's unit."))
    period = models.CharField(_("period"), max_length=10, blank=True, choices=[
        ("", _("Whole campaign")), ("month", _("Month")), ("quarter", _("Quarter")),
        ("half", _("Half-year")), ("year", _("Year"))])
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveSmallIntegerField(
        _("which"), null=True, blank=True, help_text=_("Month 1–12, quarter 1–4 or half-year 1–2."))
    comments = models.PositiveSmallIntegerField(
        _("comments shown"), default=0,
        help_text=_("How many comments moderated as relevant to show (personal data masked)."))
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("campaign"), FieldPanel("unit"), FieldPanel("period"), FieldPanel("year"),
        FieldPanel("number"), FieldPanel("comments"), FieldPanel("intro")]

    template = "wagtail_satisfaction/results_page.html"
    # The code computing the figures, as a dotted path: the models never import it.
    results_function = "wagtail_satisfaction.public.results.public_results"
    selection_class = "wagtail_satisfaction.public.results.Selection"

    class Meta:
        verbose_name = _("results page")
        verbose_name_plural = _("results pages")

    def clean(self):
        from django.core.exceptions import ValidationError

        from ..blocks import results_selection_errors

        super().clean()
        errors = results_selection_errors(self.period, self.year, self.number)
        if errors:
            raise ValidationError(errors)

    def get_results(self):
        selection = import_string(self.selection_class)(
            self.campaign, self.unit, self.period, self.year, self.number, self.comments)
        return import_string(self.results_function)(selection)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["results"] = self.get_results()
        return context
