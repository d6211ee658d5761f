"""Importing the list of dossiers from a spreadsheet (xlsx or csv).

``DossierResource`` is the single description of a row. :func:`import_dossiers` runs it
all-or-nothing: one bad row stores nothing, and every bad row is named with its line in
the file (the header is line 1). The dossier code identifies a row, so importing the same
file again updates the dossiers instead of duplicating them, and keeps their secret codes.
"""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from ..formats import parse_date, short_date
from ..imports import ImportResult, ModelResource, import_with_resource, missing_columns, rows
from ..models import Dossier, Officer, Procedure, Unit
from ..models.dossiers import normalise_dossier_code

COLUMNS = ["code", "unit", "procedure", "officer", "applicant_name", "email", "phone",
           "received_on", "due_on", "returned_on"]


class LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key looked up by a column, with a readable error instead of a traceback."""

    def __init__(self, model, field, message, **kwargs):
        super().__init__(model, field, **kwargs)
        self.message = message

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except (self.model.DoesNotExist, self.model.MultipleObjectsReturned) as error:
            raise ValueError(self.message % {"value": value}) from error

    @staticmethod
    def is_empty(value):
        return value is None or str(value).strip() == ""


class OfficerWidget(LookupWidget):
    """Officers have no code: they are found by name within the row's unit."""

    def get_queryset(self, value, row, *args, **kwargs):
        unit = Unit.objects.filter(code=str(row.get("unit") or "").strip()).first()
        if unit is None:
            return Officer.objects.none()
        return Officer.objects.filter(unit__in=Unit.objects.within(unit))

    def get_lookup_kwargs(self, value, row=None, **kwargs):
        return {"name__iexact": value}


class LocalDateWidget(widgets.Widget):
    """Dates as typed in Vietnam (dd/mm/yyyy), ISO dates, or real spreadsheet dates."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if (date := parse_date(text)) is not None:
            return date
        raise ValueError(_("“%(value)s” is not a date; write it as dd/mm/yyyy.")
                         % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return short_date(value) if value else ""


class DossierResource(ModelResource):
    """One dossier per row; columns named as in :data:`COLUMNS`."""

    unit = fields.Field(attribute="unit", column_name="unit", widget=LookupWidget(
        Unit, "code", gettext_lazy("no unit has the code “%(value)s”")))
    procedure = fields.Field(attribute="procedure", column_name="procedure", widget=LookupWidget(
        Procedure, "code", gettext_lazy("no procedure has the code “%(value)s”")))
    officer = fields.Field(attribute="officer", column_name="officer", widget=OfficerWidget(
        Officer, "name", gettext_lazy("no officer named “%(value)s” works in this unit")))
    received_on = fields.Field(attribute="received_on", column_name="received_on",
                               widget=LocalDateWidget())
    due_on = fields.Field(attribute="due_on", column_name="due_on",
                          widget=LocalDateWidget())
    returned_on = fields.Field(attribute="returned_on", column_name="returned_on",
                               widget=LocalDateWidget())

    class Meta:
        model = Dossier
        fields = COLUMNS
        import_id_fields = ["code"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        row["code"] = normalise_dossier_code(str(row.get("code") or ""))
        for name in ("applicant_name", "email", "phone"):
            if row.get(name) is None:
                row[name] = ""
            else:
                row[name] = str(row[name]).strip()


def import_dossiers(dataset, units=None):
    """Import every row or none; returns an :class:`~wagtail_satisfaction.imports.ImportResult`
    (``new``, ``updated``, and ``skipped`` for the unchanged rows).

    With ``units`` (a unit-scoped user's, see ``models.scopes``) every row's unit, and the
    unit of a dossier it would update, must be one of them.
    """
    outcome = ImportResult(errors=missing_columns(dataset, ("code", "unit", "received_on")))
    if outcome.errors:
        return outcome
    seen = {}
    for number, row in rows(dataset):
        code = normalise_dossier_code(str(row.get("code") or ""))
        if code and code in seen:
            outcome.add_error(number, _("dossier %(code)s already appears on line %(line)s")
                              % {"code": code, "line": seen[code]})
        seen.setdefault(code, number)
    if units is not None:
        _check_units(dataset, seen, units, outcome)
    if outcome.errors:
        return outcome
    return import_with_resource(DossierResource(), dataset)


def _check_units(dataset, codes, units, outcome):
    """A unit-scoped user imports only into their units, and never over another unit's
    dossier (refused without saying whose it is)."""
    mine = set(units.values_list("code", flat=True))
    every = set(Unit.objects.values_list("code", flat=True))
    foreign = set(Dossier.objects.filter(code__in=list(codes)).exclude(unit__in=units)
                  .values_list("code", flat=True))
    for number, row in rows(dataset):
        unit_code = str(row.get("unit") or "").strip()
        code = normalise_dossier_code(str(row.get("code") or ""))
        if unit_code in every and unit_code not in mine:
            outcome.add_error(number, _("unit “%(code)s” is not one of your units")
                              % {"code": unit_code})
        elif code in foreign:
            outcome.add_error(number, _("dossier %(code)s cannot be imported here")
                              % {"code": code})
