"""The survey banner editors place on pages, and the site-wide banner setting."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import PreviewableMixin


class BannerQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(
            models.Q(shows_from__isnull=True) | models.Q(shows_from__lte=now),
            models.Q(shows_until__isnull=True) | models.Q(shows_until__gt=now),
        )


class Banner(PreviewableMixin, models.Model):
    """"Baner khảo sát mức độ hài lòng": a call to action pointing at a survey."""

    title = models.CharField(_("title"), max_length=255)
    text = models.TextField(_("text"), blank=True)
    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("image"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    button_label = models.CharField(_("button label"), max_length=60,
                                    default=_("Rate our service"))
    target_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("survey page"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The page holding the survey. Leave empty to use the campaign's own page."),
    )
    campaign = models.ForeignKey("wagtail_satisfaction.Campaign", verbose_name=_("campaign"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="banners")
    shows_from = models.DateTimeField(_("shows from"), null=True, blank=True)
    shows_until = models.DateTimeField(_("shows until"), null=True, blank=True)

    objects = BannerQuerySet.as_manager()

    panels = [
        FieldPanel("title"), FieldPanel("text"), FieldPanel("image"),
        FieldPanel("button_label"), FieldPanel("target_page"), FieldPanel("campaign"),
        FieldRowPanel([FieldPanel("shows_from"), FieldPanel("shows_until")],
                      heading=_("Display window")),
    ]

    class Meta:
        verbose_name = _("survey banner")
        verbose_name_plural = _("survey banners")

    def __str__(self):
        return self.title

    def clean(self):
        if not self.target_page_id and not self.campaign_id:
            raise ValidationError(_("Choose the survey page or the campaign the banner leads to."))
        if self.shows_from and self.shows_until and self.shows_until <= self.shows_from:
            raise ValidationError({"shows_until": _("The banner must stop after it starts.")})

    def is_live(self, now=None):
        """Inside its display window, and its campaign (if any) has not closed."""
        now = now or timezone.now()
        return ((self.shows_from is None or self.shows_from <= now)
                and (self.shows_until is None or now < self.shows_until)
                and (self.campaign_id is None or not self.campaign.status().is_closed))

    @property
    def survey_campaign(self):
        """The campaign the banner leads to: its own, else its survey page's."""
        if self.campaign_id:
            return self.campaign
        page = self.target_page.specific if self.target_page_id else None
        return getattr(page, "campaign", None)

    @property
    def url(self):
        """Where the banner leads: its page while published, else the campaign's survey."""
        from django.urls import reverse

        # An unpublished page still has a URL, but visitors following it would get a 404.
        if self.target_page_id and self.target_page.live:
            return self.target_page.url
        if self.campaign_id:
            return reverse("wagtail_satisfaction:survey", args=[self.campaign.slug])
        return None

    def get_preview_template(self, request, mode_name):
        return "wagtail_satisfaction/previews/banner.html"


@register_setting(icon="pick")
class SatisfactionSettings(BaseSiteSetting):
    """Per-site choices an editor makes: the banner shown on every page."""

    site_banner = models.ForeignKey(
        Banner, verbose_name=_("site-wide banner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Shown by the {% satisfaction_banner %} tag on every page while live."),
    )

    panels = [FieldPanel("site_banner")]

    class Meta:
        verbose_name = _("satisfaction survey settings")
