"""A page type that hosts one campaign's survey: the natural Wagtail way to place it."""

from django.db import models
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

    class Meta:
        verbose_name = _("survey page")
        verbose_name_plural = _("survey pages")

    def serve(self, request, *args, **kwargs):
        from ..views import handle_survey

        return handle_survey(request, self.campaign, template=self.get_template(request),
                             extra_context={"page": self, "self": self},
                             action_url=self.url)

    def serve_preview(self, request, mode_name):
        from ..views import render_survey

        return render_survey(request, self.campaign, template=self.get_template(request),
                             extra_context={"page": self, "self": self},
                             action_url=self.url or "")
