"""Write the report document (DOCX, PDF or HTML) with the report's filters.

    manage.py satisfaction_report --campaign khao-sat-2025 --period quarter --year 2025 \\
        --number 4 --unit so-khcn --format docx --output bao-cao-q4.docx
"""

from django.core.management.base import BaseCommand, CommandError

from wagtail_satisfaction.reports import document
from wagtail_satisfaction.reports.filters import ReportFilterForm

from .satisfaction_export import add_filter_arguments, filter_data


class Command(BaseCommand):
    help = ("Write the report as a document to sign (Decree 30/2020 layout) with the "
            "filters of satisfaction_export.")

    def add_arguments(self, parser):
        add_filter_arguments(parser)
        parser.add_argument("--format", choices=document.FORMATS, default="docx")
        parser.add_argument("--personal", action="store_true",
                            help="show personal data in the comments unmasked")
        parser.add_argument("--output", required=True, help="file path, or - for stdout (html)")

    def handle(self, *args, **options):
        form = ReportFilterForm(filter_data(options))
        if not form.is_valid():
            raise CommandError("; ".join(f"{name}: {error}" for name, errors
                                         in form.errors.items() for error in errors))
        built = document.build_document(form.filters(), personal=options["personal"])
        content = document.render(built, options["format"])
        if options["output"] == "-":
            if options["format"] != "html":
                raise CommandError("docx and pdf need a file path for --output.")
            self.stdout.write(content.decode())
            return
        with open(options["output"], "wb") as out:
            out.write(content)
        self.stderr.write(f"Report ({built.report.responses} responses) written to "
                          f"{options['output']}.")
