from django import template
from wagtail.models import Site

from ..models import SatisfactionSettings

register = template.Library()


@register.inclusion_tag("wagtail_satisfaction/includes/banner.html", takes_context=True)
def satisfaction_banner(context, banner=None):
    """Render ``banner``, or the site's banner setting, while it is live.

    Renders nothing when the request matches no Wagtail site (a page must never fail
    because of its banner), and no site banner above a survey: a survey page, a page holding
    a survey block, or any view of the survey flow (never two surveys on one page).
    """
    request = context.get("request")
    if banner is None and not shows_site_banner(context):
        return {"banner": None, "request": request}
    if banner is None and request is not None and Site.find_for_request(request) is not None:
        banner = SatisfactionSettings.for_request(request).site_banner
    shown = banner is not None and banner.is_live() and banner.url is not None
    return {"banner": banner if shown else None,
            "request": request}


def shows_site_banner(context):
    from ..flow import page_holds_survey

    if "campaign_status" in context:  # a survey view: website, dossier rating, kiosk
        return False
    page = context.get("page")
    return not (page is not None and getattr(page, "pk", None) and page_holds_survey(page))


@register.filter
def person_name(user):
    """A staff member's name as Vietnamese write it: family name first ("Phạm Quốc Hùng";
    Django's ``get_full_name`` gives "Hùng Phạm Quốc"), else the user name."""
    if user is None:
        return ""
    name = " ".join(part for part in (user.last_name.strip(), user.first_name.strip()) if part)
    return name or user.get_username()


@register.simple_tag
def survey_questions(form, factor_class="", steps=None):
    """The questionnaire part of a survey form (``includes/questions.html``).

    With ``steps`` (a :class:`~wagtail_satisfaction.steps.StepView`), only the factor of the
    step shown, and the comment on the last step. An unbound, empty form draws the same for
    every visitor: its drawing is kept with the campaign in the survey cache, per language,
    form class, ``factor_class`` and step. A form that holds what a visitor typed, or its
    errors, is drawn each time.
    """
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from ..survey_cache import cached_fragment

    step = steps.index if steps else None

    def render():
        groups = form.factor_groups()
        parts = [(factor, fields, number) for number, (factor, fields)
                 in enumerate(groups, start=1) if step is None or number == step + 1]
        return mark_safe(render_to_string("wagtail_satisfaction/includes/questions.html", {
            "form": form, "factor_class": factor_class, "parts": parts,
            "total": len(groups), "in_steps": step is not None,
            "with_comment": step is None or steps.last}))

    if form.is_bound or form.initial:
        return render()
    return cached_fragment(form.campaign, (get_language(), type(form), factor_class, step),
                           render)
