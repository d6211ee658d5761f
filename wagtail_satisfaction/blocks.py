"""StreamField blocks editors use to place a survey or a banner on any page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class SurveyBlock(blocks.StructBlock):
    """The survey form of a campaign, embedded in a page."""

    campaign = SnippetChooserBlock("wagtail_satisfaction.Campaign", label=_("Campaign"))
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=255)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)

    class Meta:
        icon = "form"
        label = _("Satisfaction survey")
        template = "wagtail_satisfaction/blocks/survey_block.html"
        description = _("The survey form of a campaign; answers are stored in the campaign.")
        preview_template = "wagtail_satisfaction/previews/block.html"

    def get_context(self, value, parent_context=None):
        from .forms import SurveyForm
        from .services import campaign_closed_message

        context = super().get_context(value, parent_context)
        campaign = value["campaign"]
        if campaign is not None:
            status = campaign.status()
            context.update({
                "campaign": campaign, "campaign_status": status,
                "closed_message": campaign_closed_message(campaign, status)
                if not status.is_open else "",
                "form": SurveyForm(campaign=campaign),
                # Any page can hold the block, but only the survey view stores answers.
                "action_url": reverse("wagtail_satisfaction:survey", args=[campaign.slug]),
            })
        return context

    def get_preview_value(self):
        from .models import Campaign

        campaign = Campaign.objects.order_by("-opens_on").first()
        return self.to_python({"campaign": campaign.pk if campaign else None,
                               "heading": _("How satisfied are you with our service?")})


class BannerBlock(blocks.StructBlock):
    """A survey banner snippet, shown while its display window is open."""

    banner = SnippetChooserBlock("wagtail_satisfaction.Banner", label=_("Banner"))

    class Meta:
        icon = "pick"
        label = _("Survey banner")
        template = "wagtail_satisfaction/blocks/banner_block.html"
        description = _("A call to action leading visitors to the survey.")
        preview_template = "wagtail_satisfaction/previews/block.html"

    def get_preview_value(self):
        from .models import Banner

        banner = Banner.objects.first()
        return self.to_python({"banner": banner.pk if banner else None})
