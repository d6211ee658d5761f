"""Export results with the report's filters, for scheduled jobs.

    manage.py satisfaction_export --campaign khao-sat-2025 --period quarter --year 2025 \\
        --number 4 --unit so-khcn --format xlsx --output q4.xlsx
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from wagtail_satisfaction.models import Campaign, Procedure, Round, Sector, Unit
from wagtail_satisfaction.reports.disclosure import TooFewResponses
from wagtail_satisfaction.reports.exports import ExportRequest, InvalidFilters


def _pk(model, lookup, value, label, **extra):
    if value in (None, ""):
        return ""
    found = model.objects.filter(**{lookup: value}, **extra).values_list("pk", flat=True)[:2]
    if len(found) != 1:
        raise CommandError(f"No single {label} “{value}”.")
    return str(found[0])



def add_filter_arguments(parser):
    """The report's filters as options (shared with ``satisfaction_report``)."""
    parser.add_argument("--campaign", required=True, help="campaign slug")
    parser.add_argument("--round", help="round name within the campaign")
    parser.add_argument("--period", choices=["month", "quarter", "half", "year", "custom"])
    parser.add_argument("--year", type=int)
    parser.add_argument("--number", type=int, help="month, quarter or half-year number")
    parser.add_argument("--from", dest="date_from", help="YYYY-MM-DD (custom period)")
    parser.add_argument("--to", dest="date_to", help="YYYY-MM-DD (custom period)")
    parser.add_argument("--unit", help="unit code (its sub-units are included)")
    parser.add_argument("--procedure", help="procedure code")
    parser.add_argument("--sector", help="field (lĩnh vực) name")
    parser.add_argument("--officer", type=int, help="officer id")
    parser.add_argument("--channel")


def filter_data(options):
    """The filter form's data from the command's options (codes and slugs → ids)."""
    campaign = _pk(Campaign, "slug", options["campaign"], "campaign")
    return {
        "campaign": campaign,
        "round": _pk(Round, "name", options["round"], "round", campaign_id=campaign),
        "period": options["period"] or "",
        "year": options["year"] or "", "number": options["number"] or "",
        "date_from": options["date_from"] or "", "date_to": options["date_to"] or "",
        "unit": _pk(Unit, "code", options["unit"], "unit"),
        "procedure": _pk(Procedure, "code", options["procedure"], "procedure"),
        "sector": _pk(Sector, "name", options["sector"], "field"),
        "officer": options["officer"] or "", "channel": options["channel"] or "",
    }


class Command(BaseCommand):
    help = "Export responses (csv) or the full workbook (xlsx) with the report's filters."

    def add_arguments(self, parser):
        add_filter_arguments(parser)
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--kind", choices=["responses", "comments"], default="responses",
                            help="csv only: which table")
        parser.add_argument("--personal", action="store_true",
                            help="include respondents' emails")
        parser.add_argument("--output", required=True, help="file path, or - for stdout (csv)")

    def handle(self, *args, **options):
        try:
            export = ExportRequest(filter_data(options), options["format"], options["kind"],
                                   personal=options["personal"])
        except (InvalidFilters, TooFewResponses) as error:
            raise CommandError(str(error)) from error
        if export.format == "xlsx" and options["output"] == "-":
            raise CommandError("xlsx needs a file path for --output.")
        count = export.count()
        if options["output"] == "-":
            export.write(sys.stdout.buffer)
        else:
            with open(options["output"], "wb") as out:
                export.write(out)
            self.stderr.write(f"{count} responses exported to {options['output']}.")
