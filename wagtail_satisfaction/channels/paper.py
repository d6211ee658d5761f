"""Paper forms (and post, fax, email, Zalo, phone answers) typed in by staff.

Answers are typed as digits: the value itself (1–5, 0–2, 1/0 for yes/no) and
``NOT_APPLICABLE_DIGIT`` for "not applicable / no answer". The staff entry screen and the
spreadsheet import use the same :class:`StaffEntryForm`, so a typed form and an imported
row follow the same rules; every entry is stored by ``services.submit_response`` with
``entered_by`` and audited in Wagtail's log.
"""

import datetime
import io

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from ..conf import get_setting
from ..formats import DATE_INPUT_FORMATS, short_date
from ..forms import SurveyForm, question_field_name
from ..imports import ImportResult, missing_columns, rows
from ..models import Channel, StaffEntry
from ..scales import NOT_APPLICABLE
from ..services import submit_response

NOT_APPLICABLE_DIGIT = "9"
STAFF_CHANNELS = [Channel.PAPER, Channel.POST, Channel.FAX, Channel.EMAIL, Channel.ZALO,
                  Channel.PHONE]
LOG_ACTION = "wagtail_satisfaction.staff_entry"


class DigitField(forms.ChoiceField):
    """A question answered by typing one digit."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        return NOT_APPLICABLE if value == NOT_APPLICABLE_DIGIT else value


def digit_hint(question):
    digits = [str(value) for value, _label in question.spec.choices]
    if question.spec.allows_not_applicable:
        digits.append(NOT_APPLICABLE_DIGIT)
    return ", ".join(sorted(digits))


class StaffEntryForm(SurveyForm):
    """The survey form for staff: digits for answers, plus form number, batch, channel."""

    form_number = forms.CharField(label=gettext_lazy("Form number"), max_length=32,
                                  widget=forms.TextInput(attrs={"autofocus": True}))
    batch = forms.CharField(label=gettext_lazy("Batch number"), max_length=32, required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Received by"),
                                choices=[(c.value, c.label) for c in STAFF_CHANNELS],
                                initial=Channel.PAPER)
    filled_on = forms.DateField(label=gettext_lazy("Date on the form"), required=False,
                                input_formats=DATE_INPUT_FORMATS,
                                help_text=gettext_lazy("dd/mm/yyyy; empty means today."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields[get_setting("HONEYPOT_FIELD")]
        # Staff are checked against the dossier list instead (and audited), never a secret.
        self.fields.pop("dossier_secret", None)
        if "dossier_code" in self.fields:
            self.fields["dossier_code"].help_text = _(
                "Checked against the dossier list; the dossier is then rated once.")
        if "email" in self.fields:
            self.fields["email"].required = False  # staff never invent an address
        if "procedure" in self.fields:
            self.group_procedures(self.fields["procedure"])
        for question in self.questions:
            name = question_field_name(question)
            old = self.fields[name]
            hint = digit_hint(question)
            self.fields[name] = DigitField(
                label=f"{question.code}. {old.label}", choices=old.choices, required=old.required,
                help_text=hint,
                widget=forms.TextInput(attrs={
                    "inputmode": "numeric", "maxlength": "1", "size": "1",
                    "autocomplete": "off", "class": "digit-answer", "pattern": "[0-9]",
                    "data-question": question.code}),
                error_messages={
                    "required": _("Type an answer (%(digits)s).") % {"digits": hint},
                    "invalid_choice": _("Type one of %(digits)s.") % {"digits": hint}},
            )
        # Tab order follows the paper: bookkeeping, who/what, answers, comment.
        self.order_fields(["form_number", "batch", "channel", "filled_on", "procedure",
                           "officer", "dossier_code", "email"]
                          + [question_field_name(q) for q in self.questions] + ["comment"])

    @staticmethod
    def group_procedures(field):
        """A long procedure list, grouped by field (lĩnh vực) and kept to the screen's width
        (only the rendering: the field still validates against its queryset)."""
        groups = {}
        for procedure in field.queryset.select_related("sector").order_by("sector__name",
                                                                         "name"):
            groups.setdefault(procedure.sector.name, []).append(
                (procedure.pk, field.label_from_instance(procedure)))
        field.widget.choices = [("", field.empty_label or ""), *groups.items()]
        field.widget.attrs["class"] = "paper-procedure"

    def clean_filled_on(self):
        filled_on = self.cleaned_data.get("filled_on")
        campaign = self.campaign
        if filled_on and not campaign.opens_on <= filled_on <= campaign.closes_on:
            raise ValidationError(_("The date must be within the campaign (%(start)s – "
                                    "%(end)s).") % {
                "start": short_date(campaign.opens_on),
                "end": short_date(campaign.closes_on)})
        return filled_on

    def clean_form_number(self):
        number = self.cleaned_data["form_number"].strip().upper()
        if StaffEntry.objects.filter(campaign=self.campaign, form_number=number).exists():
            raise ValidationError(duplicate_form_message(number))
        return number

    def clean_dossier_code(self):
        from .dossiers import dossiers_in_scope

        code = super().clean_dossier_code()
        if code and not dossiers_in_scope(self.campaign).filter(code=code).exists():
            # Staff see the dossier list anyway: naming the code helps them fix a typo.
            raise ValidationError(_("No dossier with the code %(code)s is in the list of "
                                    "this campaign's units.") % {"code": code})
        return code

    def response_data(self):
        data = super().response_data()
        # A code found in the dossier list, typed by an audited staff member, is proven.
        data["dossier_proven"] = bool(data.get("dossier_code"))
        return data

    def bookkeeping_fields(self):
        return [self[name] for name in ("form_number", "batch", "channel", "filled_on")]

    def about_fields(self):
        return [self[name] for name in ("procedure", "officer", "dossier_code", "email")
                if name in self.fields]


def duplicate_form_message(number):
    return _("Form %(number)s has already been entered in this campaign.") % {"number": number}


def enter_response(form, user):
    """Store a valid StaffEntryForm with its staff entry and an audit log entry."""
    campaign = form.campaign
    if campaign.status().is_upcoming:
        raise ValidationError(_("This campaign has not opened yet."))
    data = form.cleaned_data
    submitted_at = None
    if data.get("filled_on"):
        from zoneinfo import ZoneInfo

        submitted_at = datetime.datetime.combine(
            data["filled_on"], datetime.time(12), ZoneInfo(get_setting("REPORT_TIME_ZONE")))
    try:
        with transaction.atomic():
            response = submit_response(
                campaign, channel=data["channel"], entered_by=user, check_open=False,
                submitted_at=submitted_at, **form.response_data())
            entry = StaffEntry.objects.create(
                response=response, campaign=campaign, form_number=data["form_number"],
                batch=data.get("batch", ""), entered_by=user, entered_at=timezone.now())
            # In the same transaction: an entry is never stored without its audit record.
            log(instance=response, action=LOG_ACTION, user=user, data={
                "campaign": campaign.pk, "form_number": entry.form_number,
                "batch": entry.batch, "channel": response.channel,
                "dossier_code": response.dossier_code,
                "dossier_proven": response.dossier_proven,
                "answers": {str(q.code): v for q, v in form.answers().items()},
            })
    except IntegrityError as error:
        raise ValidationError(duplicate_form_message(data["form_number"])) from error
    return response


# --- Spreadsheet of typed forms --------------------------------------------------------

BOOKKEEPING_COLUMNS = ["form_number", "batch", "channel", "filled_on", "procedure",
                       "officer", "dossier_code", "email"]
# The template's headers: (English, Vietnamese) per column key. The template is written in
# the active language; the import reads either (and the question codes, the same in both),
# so a template downloaded in Vietnamese, filled in and uploaded is read back as written.
TEMPLATE_HEADERS = {
    "form_number": ("form_number", "Số phiếu"),
    "batch": ("batch", "Số lô"),
    "channel": ("channel", "Hình thức nhận"),
    "filled_on": ("filled_on", "Ngày trên phiếu"),
    "procedure": ("procedure", "Mã thủ tục"),
    "officer": ("officer", "Công chức"),
    "dossier_code": ("dossier_code", "Mã hồ sơ"),
    "email": ("email", "Thư điện tử"),
    "comment": ("comment", "Ý kiến"),
}


def template_columns(campaign):
    codes = [q.code for q in campaign.questionnaire.questions().order_by(
        "factor__sort_order", "sort_order")]
    return BOOKKEEPING_COLUMNS + codes + ["comment"]


def template_header(key):
    """A template column's header in the active language (question codes as they are)."""
    from ..reports.columns import _vietnamese

    if key in TEMPLATE_HEADERS:
        return TEMPLATE_HEADERS[key][1 if _vietnamese() else 0]
    return key


def column_key(name):
    """The column key of a header as typed, in either language; else the header itself."""
    from ..reports.columns import normalise

    wanted = normalise(name)
    for key, headers in TEMPLATE_HEADERS.items():
        if wanted in {normalise(header) for header in headers}:
            return key
    return "" if name is None else str(name).strip()


def channel_value(text):
    """A staff channel from its code or its name in either language ("paper", "Phiếu
    giấy", "Paper form"); the text as it is when it names none (the form refuses it)."""
    from ..reports.columns import normalise

    wanted = normalise(text)
    for channel in STAFF_CHANNELS:
        names = {channel.value, str(channel.label)}
        for language in ("en", "vi"):
            with translation.override(language):
                names.add(str(channel.label))
        if wanted in {normalise(name) for name in names}:
            return channel.value
    return text


def template_workbook(campaign):
    """An xlsx template: one column per question code, a notes sheet with the digits."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("forms")
    sheet.append([template_header(key) for key in template_columns(campaign)])
    notes = workbook.create_sheet(_("notes"))
    notes.append([_("Column"), _("Question"), _("Digits")])
    notes.append([template_header("channel"), _("Received by"),
                  ", ".join(str(c.label) for c in STAFF_CHANNELS)])
    notes.append([template_header("procedure"), _("Procedure code"), ""])
    notes.append([template_header("officer"), _("Officer's name"), ""])
    for question in campaign.questionnaire.questions().order_by("factor__sort_order",
                                                                 "sort_order"):
        notes.append([question.code, question.text, digit_hint(question)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()  # read back by the form whatever the language
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def row_to_data(campaign, row, form_class=StaffEntryForm):
    """Form data for one spreadsheet row; procedure by code, officer by name."""
    data = {"form_number": row.get("form_number", ""), "batch": row.get("batch", ""),
            "channel": channel_value(row.get("channel")) or Channel.PAPER,
            "filled_on": row.get("filled_on", ""), "dossier_code": row.get("dossier_code", ""),
            "email": row.get("email", ""), "comment": row.get("comment", "")}
    errors = []
    if row.get("procedure"):
        procedure = campaign.procedures().filter(code=row["procedure"]).first()
        if procedure is None:
            errors.append(_("no procedure has the code “%(value)s”") % {
                "value": row["procedure"]})
        data["procedure"] = procedure.pk if procedure else ""
    if row.get("officer"):
        officer = campaign.officers().filter(name__iexact=row["officer"]).first()
        if officer is None:
            errors.append(_("no officer named “%(value)s” works in this unit") % {
                "value": row["officer"]})
        data["officer"] = officer.pk if officer else ""
    for question in campaign.questionnaire.questions():
        data[question_field_name(question)] = row.get(question.code, "")
    return data, errors


def form_errors(form):
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return messages


def import_workbook(campaign, dataset, user):
    """Enter every row of a spreadsheet of typed forms (a tablib Dataset), or none.

    Returns an :class:`~wagtail_satisfaction.imports.ImportResult`; ``stored`` counts the
    forms entered.
    """
    # Headers in either language (the template is written in the user's).
    dataset.headers = [column_key(name) for name in dataset.headers or []]
    outcome = ImportResult(errors=missing_columns(dataset, ("form_number",)))
    if outcome.errors:
        return outcome
    with transaction.atomic():
        for line, values in rows(dataset):
            row = {name: _cell(value) for name, value in values.items() if name}
            if not any(row.values()):
                continue
            data, lookup_errors = row_to_data(campaign, row)
            form = StaffEntryForm(data, campaign=campaign)
            if lookup_errors or not form.is_valid():
                outcome.add_error(line, lookup_errors + form_errors(form))
                continue
            try:
                with transaction.atomic():
                    enter_response(form, user)
                    outcome.stored += 1
            except ValidationError as error:
                outcome.add_error(line, error.messages)
        if outcome.errors:
            transaction.set_rollback(True)
            outcome.stored = 0
    return outcome
