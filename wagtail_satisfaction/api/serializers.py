"""Reading a dossier sent by the one-stop software, and what the API answers about one.

Every refusal names its field, in the caller's language (``Accept-Language``); a dossier is
checked whole (the model's own rules too) before anything is stored.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from ..channels import dossiers as rules
from ..models import Dossier, Officer, Procedure, Unit
from ..models.dossiers import normalise_dossier_code

FIELDS = ("code", "unit", "procedure", "officer", "applicant_name", "email", "phone",
          "received_on", "due_on", "returned_on")
PHONE_CHARACTERS = set("0123456789+ .-()")


def messages(**extra):
    return {
        "required": gettext_lazy("This field is required."),
        "null": gettext_lazy("This field may not be empty."),
        "blank": gettext_lazy("This field may not be empty."),
        "invalid": gettext_lazy("This value is not valid."),
        "max_length": gettext_lazy("Write at most {max_length} characters."),
        **extra,
    }


def text(max_length, **kwargs):
    return serializers.CharField(max_length=max_length, error_messages=messages(), **kwargs)


def date(**kwargs):
    return serializers.DateField(
        input_formats=["iso-8601"], required=False,
        error_messages=messages(
            invalid=gettext_lazy("Write the date as YYYY-MM-DD, for example 2026-12-05."),
            datetime=gettext_lazy("Write a date (YYYY-MM-DD), without a time.")),
        **kwargs)


class DossierSerializer(serializers.Serializer):
    """A dossier created or updated by its code: omitted fields keep their values."""

    code = text(64, help_text="The dossier code of the one-stop software (unique).")
    unit = text(64, required=False, help_text="Code of the unit that handles the dossier "
                "(required for a new dossier).")
    procedure = text(64, required=False, allow_blank=True, allow_null=True,
                     help_text="Code of the administrative procedure (TTHC).")
    officer = text(255, required=False, allow_blank=True, allow_null=True,
                   help_text="Name of the receiving officer, as in the unit's list.")
    applicant_name = text(255, required=False, allow_blank=True)
    email = serializers.EmailField(
        required=False, allow_blank=True, max_length=254,
        error_messages=messages(invalid=gettext_lazy("Enter a valid email address.")),
        help_text="Where the rating invitation is emailed.")
    phone = text(32, required=False, allow_blank=True,
                 help_text="Mobile number: the rating invitation is also sent by SMS.")
    received_on = date(help_text="Date received (required for a new dossier).")
    due_on = date(allow_null=True, help_text="Date the result is promised for.")
    returned_on = date(allow_null=True, help_text="Date the result was returned: the rating "
                       "invitation goes out once.")

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": [
                _("Send one dossier as a JSON object.")]})
        unknown = {name: [_("This field is not part of a dossier.")]
                   for name in data if name not in FIELDS}
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**unknown, **error.detail}) from error
        if unknown:
            raise serializers.ValidationError(unknown)
        return values

    def validate(self, attrs):
        client = self.context["client"]
        errors = {}
        code = normalise_dossier_code(attrs["code"])
        if not code:
            raise serializers.ValidationError({"code": [_("This field may not be empty.")]})
        dossier = Dossier.objects.select_related("unit").filter(code=code).first()
        if dossier is not None and not client.covers(dossier.unit):
            raise serializers.ValidationError({"code": [_(
                "This dossier belongs to a unit this API client may not write to.")]})
        if dossier is None:
            dossier = Dossier(code=code)
            for name in ("unit", "received_on"):
                if attrs.get(name) in (None, ""):
                    errors[name] = [_("This field is required for a new dossier.")]
        if attrs.get("unit"):
            unit = Unit.objects.filter(code=attrs["unit"].strip()).first()
            if unit is None:
                errors["unit"] = [_("No unit has the code “%(value)s”.")
                                  % {"value": attrs["unit"]}]
            elif not client.covers(unit):
                errors["unit"] = [_("This API client may not write dossiers of this unit.")]
            else:
                dossier.unit = unit
        if "procedure" in attrs:
            value = (attrs["procedure"] or "").strip()
            procedure = Procedure.objects.filter(code=value).first() if value else None
            if value and procedure is None:
                errors["procedure"] = [_("No procedure has the code “%(value)s”.")
                                       % {"value": value}]
            dossier.procedure = procedure
        if "officer" in attrs:
            dossier.officer = self._officer(attrs["officer"], dossier, errors)
        phone = attrs.get("phone", "").strip()
        digits = sum(c.isdigit() for c in phone)
        if phone and (set(phone) - PHONE_CHARACTERS or not 8 <= digits <= 15):
            errors["phone"] = [_("Enter a phone number of 8 to 15 digits, e.g. 0912 345 678.")]
        if attrs.get("returned_on") and attrs["returned_on"] > rules.local_today():
            errors["returned_on"] = [_("The result cannot be returned in the future.")]
        if errors:
            raise serializers.ValidationError(errors)
        for name in ("applicant_name", "email", "phone"):
            if name in attrs:
                setattr(dossier, name, attrs[name].strip())
        for name in ("received_on", "due_on", "returned_on"):
            if name in attrs:
                setattr(dossier, name, attrs[name])
        try:
            dossier.full_clean(exclude=["secret_code"], validate_unique=False)
        except DjangoValidationError as error:
            raise serializers.ValidationError({
                ("non_field_errors" if name == NON_FIELD_ERRORS else name): list(found)
                for name, found in error.message_dict.items()}) from error
        attrs["dossier"] = dossier
        return attrs

    def _officer(self, value, dossier, errors):
        value = (value or "").strip()
        if not value:
            return None
        if dossier.unit_id is None:
            return None  # the unit's own error is reported
        found = list(Officer.objects.filter(unit__in=Unit.objects.within(dossier.unit),
                                            name__iexact=value)[:2])
        if len(found) != 1:
            errors["officer"] = [_("No single officer named “%(value)s” works in this unit.")
                                 % {"value": value}]
            return None
        return found[0]


class ReturnedSerializer(serializers.Serializer):
    returned_on = date(allow_null=True, help_text="Date the result was returned "
                       "(default: today).")

    def validate_returned_on(self, value):
        if value and value > rules.local_today():
            raise serializers.ValidationError(_("The result cannot be returned in the future."))
        return value


class RatingStatusSerializer(serializers.Serializer):
    """For the schema: what the API answers about a dossier."""

    status = serializers.ChoiceField(choices=[
        "not_returned", "no_campaign", "opted_out", "waiting", "invited", "rated"])
    ratable = serializers.BooleanField()
    campaign = serializers.CharField(allow_null=True)
    invited_at = serializers.DateTimeField(allow_null=True)
    reminded_at = serializers.DateTimeField(allow_null=True)


class DossierStatusSerializer(serializers.Serializer):
    code = serializers.CharField()
    unit = serializers.CharField()
    procedure = serializers.CharField(allow_null=True)
    officer = serializers.CharField(allow_null=True)
    received_on = serializers.DateField()
    due_on = serializers.DateField(allow_null=True)
    returned_on = serializers.DateField(allow_null=True)
    secret_code = serializers.CharField(help_text="Printed on the receipt with the link.")
    rating_url = serializers.URLField(help_text="Signed rating link (for the QR code).")
    rating = RatingStatusSerializer()


def rating_status(dossier):
    """Where the dossier's rating stands, as the one-stop software shows it."""
    ratable = rules.is_ratable(dossier)
    campaign = rules.campaign_for(dossier) if ratable else None
    if not ratable:
        status = "not_returned"
    elif campaign is None:
        status = "no_campaign"
    elif rules.is_rated(dossier, campaign):
        status = "rated"
    elif dossier.opted_out:
        status = "opted_out"
    elif dossier.invited_at:
        status = "invited"
    else:
        status = "waiting"
    return {"status": status, "ratable": ratable,
            "campaign": campaign.slug if campaign else None,
            "invited_at": dossier.invited_at, "reminded_at": dossier.reminded_at}


def dossier_status(dossier):
    return {
        "code": dossier.code, "unit": dossier.unit.code,
        "procedure": dossier.procedure.code if dossier.procedure_id else None,
        "officer": dossier.officer.name if dossier.officer_id else None,
        "received_on": dossier.received_on, "due_on": dossier.due_on,
        "returned_on": dossier.returned_on, "secret_code": dossier.secret_code,
        "rating_url": rules.rating_url(dossier), "rating": rating_status(dossier),
    }
