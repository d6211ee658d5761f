"""Page types of the example site: a home page and a general content page.

Both have a body StreamField offering the survey and banner blocks, as an agency site would.
"""

from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from wagtail_satisfaction.blocks import BannerBlock, SurveyBlock


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", icon="title")
    paragraph = blocks.RichTextBlock()
    survey = SurveyBlock()
    banner = BannerBlock()


class HomePage(Page):
    body = StreamField(BodyBlock(), blank=True)
    content_panels = Page.content_panels + [FieldPanel("body")]

    class Meta:
        # The demo agency's site is in Vietnamese only: its page types are named so in the
        # page editor and the reports (the app's own models are translated in its catalogue).
        verbose_name = "trang chủ"
        verbose_name_plural = "trang chủ"


class ContentPage(Page):
    body = StreamField(BodyBlock(), blank=True)
    content_panels = Page.content_panels + [FieldPanel("body")]

    class Meta:
        verbose_name = "trang nội dung"
        verbose_name_plural = "trang nội dung"
