"""The survey form, built from a campaign's questionnaire.

The same form serves the website, the survey page, the kiosk and staff entry of paper forms;
only the ``channel`` and the fields a context pre-fills differ.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .conf import get_setting
from .models import DossierCodeCheck, EmailPolicy
from .scales import NOT_APPLICABLE


def question_field_name(question):
    return f"q_{question.pk}"


def question_field(question):
    """The radio choice field of one question."""
    return forms.ChoiceField(
        label=question.text, help_text=question.help_text,
        choices=question.choices(), required=question.required,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose an answer to this question.")},
    )


def plain_choices(field):
    """The values a plain radio or select choice field accepts, as the strings Django's
    cleaning returns for them; None for any other field (its values are cleaned the usual
    way). Kept on the field while its choices stay the same object."""
    if type(field) is not forms.ChoiceField:
        return None
    kept = getattr(field, "_satisfaction_plain_choices", None)
    if kept is not None and kept[0] is field.choices:
        return kept[1]
    allowed = None
    if (type(field.widget) in (forms.RadioSelect, forms.Select) and not field.disabled
            and not field.validators and not field.show_hidden_initial
            and all(not isinstance(label, list | tuple) for _value, label in field.choices)):
        allowed = frozenset(str(value) for value, _label in field.choices) - {""}
    field._satisfaction_plain_choices = (field.choices, allowed)
    return allowed


HONEYPOT = forms.CharField(
    required=False, label=_("Leave this field empty"),
    widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
)


def unasked_fields(campaign, fixed):
    """The declared fields of :class:`SurveyForm` that ``campaign`` does not ask (or that a
    context's ``fixed`` values decide)."""
    unasked = {name for name, asked in (("procedure", campaign.ask_procedure),
                                        ("officer", campaign.ask_officer),
                                        ("dossier_code", campaign.ask_dossier_code))
               if not asked or name in fixed}
    if "dossier_code" in unasked or campaign.dossier_code_check != DossierCodeCheck.SECRET:
        unasked.add("dossier_secret")
    if campaign.email_policy == EmailPolicy.HIDDEN or "email" in fixed:
        unasked.add("email")
    return unasked


class SurveyForm(forms.Form):
    """Answers to every question of a campaign, plus who and what is rated."""

    procedure = forms.ModelChoiceField(
        label=_("Procedure you carried out"), queryset=None, required=False,
        empty_label=_("— Choose a procedure —"),
    )
    officer = forms.ModelChoiceField(
        label=_("Officer who received your dossier"), queryset=None, required=False,
        empty_label=_("— Choose an officer —"),
    )
    dossier_code = forms.CharField(
        label=_("Dossier code"), max_length=64, required=False,
        help_text=_("As printed on your receipt; each dossier can be rated once."),
    )
    # Asked with the dossier code when the campaign checks typed codes (DossierCodeCheck).
    dossier_secret = forms.CharField(
        label=_("Secret code"), max_length=32, required=False,
        help_text=_("Printed on your receipt or result slip, under the dossier code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    email = forms.EmailField(
        label=_("Email"), required=False, max_length=254,
        # Django's own message reads as if the field were empty.
        error_messages={"invalid": _("Invalid email address. Please check it, for example: "
                                     "ten@example.com.")},
    )
    comment = forms.CharField(
        label=_("Other comments on how your procedure was handled"), required=False,
        max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, campaign, fixed=None, **kwargs):
        """``fixed`` holds values decided by the context (e.g. a dossier link), not asked."""
        # Django deep-copies the declared fields into every form: only those this campaign
        # asks are copied (the rest would be deleted below).
        self.base_fields = {name: field for name, field in type(self).base_fields.items()
                            if name not in unasked_fields(campaign, fixed or {})}
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fixed = fixed or {}
        self.questions = campaign.questionnaire.question_list()
        if "procedure" in self.fields:
            self.fields["procedure"].queryset = campaign.procedures()
        if "officer" in self.fields:
            self.fields["officer"].queryset = campaign.officers()
        if "dossier_secret" in self.fields:
            self.fields["dossier_code"].help_text = _(
                "As printed on your receipt, with its secret code; each dossier can be rated "
                "once.")
        elif "dossier_code" in self.fields:
            self.fields["dossier_code"].help_text = _(
                "For your reference only: it is kept with your answers.")
        self.proven_dossier = None
        if "email" in self.fields:
            self.fields["email"].required = campaign.email_policy == EmailPolicy.REQUIRED
        for question, field in campaign.questionnaire.question_fields():
            # Shared by every form of the questionnaire: drawing and cleaning a field never
            # change it, and a form that needs another field replaces it (see PaperForm).
            self.fields[question_field_name(question)] = field
        # Honeypot: hidden from people by CSS and aria-hidden; bots fill it in. Shared like
        # the question fields.
        self.fields[get_setting("HONEYPOT_FIELD")] = HONEYPOT

    def _clean_fields(self):
        """Django's cleaning, field by field, with a shortcut for 20-odd question fields.

        A question's choice whose value is one of its choices is cleaned to that value, as
        ``ChoiceField.clean`` would, without a bound field and the calls that make it; any
        other value (empty, unknown, not a string) is cleaned the usual way, with the usual
        error. Fields keep their order in ``cleaned_data`` and in the errors.
        """
        data = self.data
        for name, field in self.fields.items():
            allowed = plain_choices(field) if self.prefix is None else None
            if allowed is not None and not hasattr(self, f"clean_{name}"):
                value = data.get(name)  # what RadioSelect and Select read
                if isinstance(value, str) and value in allowed:
                    self.cleaned_data[name] = value
                    continue
            bound = self[name]
            try:
                self.cleaned_data[name] = field._clean_bound_field(bound)
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except forms.ValidationError as error:
                self.add_error(name, error)

    @property
    def honeypot(self):
        return self[get_setting("HONEYPOT_FIELD")]

    def is_bot(self):
        return bool(self.data.get(get_setting("HONEYPOT_FIELD"), "").strip())

    @property
    def question_count(self):
        return len(self.questions)

    def factor_groups(self):
        """[(factor, [bound field, ...]), ...] in questionnaire order, for fieldsets."""
        groups = []
        for question in self.questions:
            if not groups or groups[-1][0].pk != question.factor_id:
                groups.append((question.factor, []))
            groups[-1][1].append(self[question_field_name(question)])
        return groups

    def clean_dossier_code(self):
        return self.cleaned_data["dossier_code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if "dossier_secret" in self.fields:
            code, secret = cleaned.get("dossier_code"), cleaned.get("dossier_secret", "")
            if code and not secret.strip():
                self.add_error("dossier_secret", _("Please type the secret code printed with "
                                                   "your dossier code, or leave both empty."))
            elif secret.strip() and not code:
                self.add_error("dossier_code", _("Please type the dossier code that goes "
                                                 "with this secret code."))
        return cleaned

    def prove(self, dossier):
        """The typed code was proven: the dossier says what it rates, and it is rated once."""
        self.proven_dossier = dossier

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def answers(self):
        """{question: value or None (not applicable)} from cleaned data."""
        result = {}
        for question in self.questions:
            raw = self.cleaned_data.get(question_field_name(question))
            if raw in (None, "", NOT_APPLICABLE):
                result[question] = None
            else:
                result[question] = int(raw)
        return result

    def response_data(self):
        """Keyword arguments for :func:`services.submit_response`."""
        data = {name: self.cleaned_data.get(name) for name in
                ("procedure", "officer", "dossier_code", "email", "comment")}
        data = {key: value for key, value in data.items() if value not in (None, "")}
        data.update(self.fixed)
        if self.proven_dossier is not None:
            dossier = self.proven_dossier
            data.update({"dossier_code": dossier.code, "dossier_proven": True,
                         "unit": dossier.unit})
            data.update({name: getattr(dossier, name) for name in ("procedure", "officer")
                         if getattr(dossier, name + "_id")})
        data["answers"] = self.answers()
        return data
