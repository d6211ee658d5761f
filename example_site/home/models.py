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


class ContentPage(Page):
    body = StreamField(BodyBlock(), blank=True)
    content_panels = Page.content_panels + [FieldPanel("body")]
