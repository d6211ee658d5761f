"""Filters that show exact report figures: rounded half-up to 2 decimals, "–" when empty."""

from django import template
from django.utils.formats import number_format

from ..reports.stats import round_percent

register = template.Library()


@register.filter
def decimal(value):
    """An exact figure rounded half-up to 2 decimals in the active locale, or "–"."""
    if value is None or value == "":
        return "–"
    return number_format(round_percent(value), 2)


@register.filter
def percent(value):
    return "–" if value is None or value == "" else decimal(value) + "%"


@register.filter
def text_for(comment, user):
    """A comment's text as ``user`` may read it: personal data masked without permission."""
    from ..moderation.decisions import displayed_text

    return displayed_text(comment, user)
