"""Dates as the active locale writes and reads them: the one place the app formats or parses one.

The locale modules beside this file (``vi/``, ``en/``) make dates day-first, dd/mm/yyyy, as
Vietnamese agencies write them. A site opts in with ``FORMAT_MODULE_PATH =
["wagtail_satisfaction.formats"]`` (the example site does); without it Django's own locale
formats apply. ISO dates (yyyy-mm-dd) are always accepted.
"""

import datetime

from django.utils import formats
from django.utils.functional import lazy

ISO_DATE = "%Y-%m-%d"


def short_date(value):
    """A date as the active locale writes it in short (dd/mm/yyyy in Vietnamese)."""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def date_input_formats():
    """The active locale's date input formats, then ISO."""
    return list(dict.fromkeys([*formats.get_format("DATE_INPUT_FORMATS"), ISO_DATE]))


# For a form's DateField: read in the language active when the form is cleaned.
DATE_INPUT_FORMATS = lazy(date_input_formats, list)()


def parse_date(text):
    """The date ``text`` spells in one of :func:`date_input_formats`, or None."""
    text = str(text).strip()
    for date_format in date_input_formats():
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    return None
