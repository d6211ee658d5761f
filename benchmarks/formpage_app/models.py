"""Wagtail's own form builder, as a site would set it up (wagtail.contrib.forms docs)."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel


class FormField(AbstractFormField):
    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields")


class FormPage(AbstractEmailForm):
    intro = models.TextField(blank=True)
    thank_you_text = models.TextField(blank=True)

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(), FieldPanel("intro"), InlinePanel("form_fields"),
        FieldPanel("thank_you_text"),
    ]


class PlainSubmission(models.Model):
    """The plain view's row: the POST as JSON, one INSERT."""

    data = models.JSONField()
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Plain submission {self.pk}"
