"""Spreadsheets in: one reader and one result shape for every import.

Every import (dossiers, typed paper forms, sub-units' results, dossier counts) reads the
uploaded bytes with :func:`read_dataset` into a tablib ``Dataset`` (django-import-export's
input), checks every row, stores all of them or none, and answers with an
:class:`ImportResult`. Lines are numbered as the spreadsheet shows them: the header is
line 1.
"""

from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import resources

FORMATS = {".xlsx": "xlsx", ".csv": "csv"}


class ImportFileError(ValueError):
    """The file cannot be imported at all: unreadable, or without the expected table."""


@dataclass
class ImportResult:
    """What an import did: rows stored, rows skipped (already there), errors by line.

    ``errors`` is ``[(line, [message, ...]), ...]``; when it is not empty nothing was
    stored. ``updated`` counts the stored rows that replaced an existing one.
    """

    stored: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    updated: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def new(self):
        return self.stored - self.updated

    @classmethod
    def refused(cls, error):
        """The result of a file that could not be read: its reason on line 1."""
        return cls(errors=[(1, [str(error)])])

    def add_error(self, line, messages):
        self.errors.append((line, [messages] if isinstance(messages, str) else list(messages)))


def read_dataset(content, file_name):
    """A tablib Dataset (the active sheet of an xlsx, or a UTF-8 csv) from uploaded bytes.

    Raises :class:`ImportFileError`, with a message for the user, when the file cannot be read.
    """
    return _load(tablib.Dataset(), content, file_name)


def read_sheets(content, file_name):
    """Every sheet of an xlsx (or the one table of a csv) as tablib Datasets."""
    if _format(file_name) == "csv":
        return [read_dataset(content, file_name)]
    return list(_load(tablib.Databook(), content, file_name).sheets())


def _format(file_name):
    name = (file_name or "").lower()
    for extension, file_format in FORMATS.items():
        if name.endswith(extension):
            return file_format
    raise ImportFileError(_("Please upload an .xlsx or .csv file."))


def _load(container, content, file_name):
    file_format = _format(file_name)
    try:
        if file_format == "csv":
            text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
            return container.load(text, format="csv")
        return container.load(content, format="xlsx")
    except Exception as error:  # tablib, openpyxl and csv raise many unrelated types
        raise ImportFileError(_(
            "This file could not be read as an .xlsx or .csv spreadsheet: save it again "
            "from Excel or LibreOffice and upload it once more.")) from error


def rows(dataset):
    """``(line, {column: value})`` for every row that is not blank; the header is line 1."""
    header = ["" if name is None else str(name).strip() for name in dataset.headers or []]
    for line, values in enumerate(dataset, start=2):
        if all(value is None or str(value).strip() == "" for value in values):
            continue
        yield line, dict(zip(header, values, strict=False))


def missing_columns(dataset, required):
    """Line-1 errors of a file without the ``required`` columns, or ``[]``."""
    header = [str(name).strip() for name in dataset.headers or [] if name is not None]
    missing = [column for column in required if column not in header]
    if not missing:
        return []
    return [(1, [_("Missing column: %(columns)s") % {"columns": ", ".join(missing)}])]


class ModelResource(resources.ModelResource):
    """A django-import-export model resource whose rows are each stored in a savepoint.

    A row the database refuses (a constraint, a value out of range) is named on its line
    like any other error, and the rows after it are still checked: django-import-export
    catches the error inside the row, which on PostgreSQL leaves the transaction aborted
    (the next statement, even the release of the library's own savepoint, would fail with
    "current transaction is aborted" and the import would stop with a server error).
    """

    def import_row(self, row, instance_loader, **kwargs):
        savepoint = transaction.savepoint()
        result = super().import_row(row, instance_loader, **kwargs)
        if result.errors:
            transaction.savepoint_rollback(savepoint)
        else:
            transaction.savepoint_commit(savepoint)
        return result


def import_with_resource(resource, dataset):
    """Run a django-import-export resource over every row, all or nothing.

    Any invalid row rolls the whole import back; the result names every bad line.
    """
    outcome = ImportResult()
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=False, raise_errors=False,
                                      use_transactions=True,
                                      rollback_on_validation_errors=True)
        for invalid in result.invalid_rows:
            outcome.add_error(invalid.number + 1, _validation_messages(invalid.error))
        for number, errors in result.row_errors():
            outcome.add_error(number + 1, [str(error.error) for error in errors])
        for error in result.base_errors:
            outcome.add_error(1, [str(error.error)])
        if outcome.errors:
            transaction.set_rollback(True)
            outcome.errors.sort(key=lambda item: item[0])
            return outcome
    outcome.stored = result.totals["new"] + result.totals["update"]
    outcome.updated = result.totals["update"]
    outcome.skipped = result.totals["skip"]
    return outcome


def _validation_messages(error):
    messages = []
    for name, texts in getattr(error, "message_dict", {NON_FIELD_ERRORS:
                                                      error.messages}).items():
        label = "" if name == NON_FIELD_ERRORS else f"{name}: "
        messages.extend(f"{label}{text}" for text in texts)
    return messages
