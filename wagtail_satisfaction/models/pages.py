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
