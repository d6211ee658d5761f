"""Unit scoping in the admin: every listing, object URL and form of a viewset at once.

The rule is in :mod:`wagtail_satisfaction.models.scopes`; this module applies it to Wagtail's
generic views so that no view repeats it. A viewset that mixes in
:class:`UnitScopedViewSetMixin` has every view it builds (index, inspect, edit, delete,
history, usage, copy, and the views it adds) wrapped in :class:`UnitScopedViewMixin`:

* listings show only the user's units' rows;
* the URL of another unit's object answers 404, as if it did not exist;
* the choices of a form's unit, campaign, officer and procedure fields are the user's, so
  an object cannot be saved into another unit.
"""

from django import forms
from django.http import Http404

from ..models.scopes import is_unit_scoped, is_visible, restrict, usable_campaigns


def choosable(queryset, user):
    """The rows of ``queryset`` that ``user`` may pick in a form or a chooser."""
    if queryset.model._meta.model_name == "campaign" and is_unit_scoped(queryset.model):
        return usable_campaigns(user, queryset)
    return restrict(queryset, user)


def scope_choices(form, user):
    """Narrow every model choice field of ``form`` to what ``user`` may choose.

    A campaign field offers the campaigns that reach the user's units; other unit-scoped
    models their rows in the user's units. The value an edited object already has stays
    valid (a unit's own parent lies above the user's units).
    """
    instance = getattr(form, "instance", None)
    for name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField):
            continue
        if not is_unit_scoped(field.queryset.model):
            continue
        narrowed = choosable(field.queryset, user)
        current = getattr(instance, f"{name}_id", None) if instance and instance.pk else None
        if current is not None and narrowed is not field.queryset:
            narrowed = narrowed | field.queryset.filter(pk=current)
        field.queryset = narrowed.distinct() if narrowed is not field.queryset else narrowed
    return form


class UnitScopedViewMixin:
    """Scopes one generic view: its listing, its object and its form."""

    def get_base_queryset(self, *args, **kwargs):
        queryset = super().get_base_queryset(*args, **kwargs)
        # History and usage views list log entries or references, not the model's rows.
        if getattr(queryset, "model", None) is getattr(self, "model", None):
            queryset = restrict(queryset, self.request.user)
        return queryset

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not is_visible(obj, self.request.user):
            raise Http404
        return obj

    def get_form(self, *args, **kwargs):
        return scope_choices(super().get_form(*args, **kwargs), self.request.user)

    def get_object_list(self, *args, **kwargs):
        # The choosers' list.
        return choosable(super().get_object_list(*args, **kwargs), self.request.user)


class UnitScopedViewSetMixin:
    """A ``ModelViewSet``/``SnippetViewSet`` whose every view is unit-scoped."""

    def construct_view(self, view_class, **kwargs):
        if not issubclass(view_class, UnitScopedViewMixin):
            view_class = type(view_class.__name__, (UnitScopedViewMixin, view_class), {})
        return super().construct_view(view_class, **kwargs)
