"""StreamField blocks editors use to place a survey or a banner on any page."""

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
        from .flow import SurveyFlow  # blocks are imported while the models load

        context = super().get_context(value, parent_context)
        campaign = value["campaign"]
        if campaign is not None:
            page = (parent_context or {}).get("page")
            request = (parent_context or {}).get("request")
            if getattr(page, "pk", None) and getattr(page, "url", None):
                # The block posts to the page holding it (see flow.BlockSurveyFlow), which
                # shows its errors in place, with every answer kept.
                form, form_error = getattr(request, "satisfaction_block_forms", {}).get(
                    campaign.pk, (None, None))
                flow = SurveyFlow(campaign, action_url=page.url)
                context.update(flow.get_context_data(form, form_error), block_post=True)
            else:
                # No page (a preview): the campaign's own survey view takes the answers.
                context.update(SurveyFlow(campaign).get_context_data())
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


PERIOD_CHOICES = [("", _("Whole campaign")), ("month", _("Month")), ("quarter", _("Quarter")),
                  ("half", _("Half-year")), ("year", _("Year"))]


class ResultsBlock(blocks.StructBlock):
    """A campaign's published results: responses, indices, TTHC points, 766 ratio, trend."""

    campaign = SnippetChooserBlock("wagtail_satisfaction.Campaign", label=_("Campaign"))
    unit = SnippetChooserBlock("wagtail_satisfaction.Unit", label=_("Unit"), required=False,
                               help_text=_("Includes its sub-units; empty: the campaign's unit."))
    period = blocks.ChoiceBlock(PERIOD_CHOICES, label=_("Period"), required=False)
    year = blocks.IntegerBlock(label=_("Year"), required=False, min_value=2000, max_value=2100)
    number = blocks.IntegerBlock(label=_("Which"), required=False, min_value=1, max_value=12,
                                 help_text=_("Month 1–12, quarter 1–4 or half-year 1–2."))
    comments = blocks.IntegerBlock(
        label=_("Comments shown"), required=False, default=0, min_value=0, max_value=50,
        help_text=_("How many comments moderated as relevant to show (personal data masked)."))
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=255)

    class Meta:
        icon = "table"
        label = _("Survey results")
        template = "wagtail_satisfaction/blocks/results_block.html"
        description = _("The published results of a campaign for a unit and period.")
        preview_template = "wagtail_satisfaction/previews/block.html"

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks.struct_block import StructBlockValidationError

        value = super().clean(value)
        errors = results_selection_errors(value.get("period"), value.get("year"),
                                          value.get("number"))
        if errors:
            raise StructBlockValidationError(
                block_errors={name: ValidationError(message) for name, message in errors.items()})
        return value

    def get_context(self, value, parent_context=None):
        from .public.results import Selection, public_results  # blocks load with the models

        context = super().get_context(value, parent_context)
        if value["campaign"] is not None:
            context["results"] = public_results(Selection(
                value["campaign"], value["unit"], value["period"] or "", value["year"],
                value["number"], value["comments"] or 0))
        return context

    def get_preview_value(self):
        from .models import Campaign

        campaign = Campaign.objects.order_by("-opens_on").first()
        return self.to_python({"campaign": campaign.pk if campaign else None})


def results_selection_errors(period, year, number):
    """{field: message} for a period that names no real month, quarter or half-year."""
    parts = {"month": 12, "quarter": 4, "half": 2, "year": 1}
    errors = {}
    if period in parts:
        if not year:
            errors["year"] = _("Choose the year.")
        if parts[period] > 1 and not number:
            errors["number"] = _("Choose which (1–%(last)s).") % {"last": parts[period]}
        elif number and number > parts[period]:
            errors["number"] = _("There is no number %(number)s in this period.") % {
                "number": number}
    return errors
