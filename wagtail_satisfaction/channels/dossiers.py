"""Rules for rating a dossier: who may rate it, when, and through which signed link.

The same rules serve the rating page (link, QR code, code + secret code), the email
invitations and the tests: a dossier is rated once, only after its result was returned
(or once it is overdue, if the site allows), and the visitor never types who handled it.
"""

import datetime
import hmac
import io

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..conf import get_setting
from ..models import Campaign, Channel, Dossier, Response, Unit
from ..models.dossiers import normalise_dossier_code

LINK_SALT = "wagtail_satisfaction.dossier-link"
OPT_OUT_SALT = "wagtail_satisfaction.opt-out"
# Channels a signed link may carry: the printed slip / QR code, or an emailed invitation.
LINK_CHANNELS = {Channel.DOSSIER_LINK, Channel.EMAIL}


class DossierRefused(ValidationError):
    """A dossier cannot be rated now; ``message`` says why, in the visitor's language."""


def local_today():
    from zoneinfo import ZoneInfo

    return timezone.now().astimezone(ZoneInfo(get_setting("REPORT_TIME_ZONE"))).date()


def public_url(path):
    base = get_setting("PUBLIC_BASE_URL")
    if base is None:
        from django.conf import settings

        base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return base.rstrip("/") + path


# --- Which dossiers can be rated -------------------------------------------------------

def is_ratable(dossier, today=None):
    """True once the result was returned (or, if allowed, the dossier is overdue)."""
    today = today or local_today()
    if dossier.returned_on and dossier.returned_on <= today:
        return True
    return bool(get_setting("RATE_OVERDUE_DOSSIERS") and dossier.due_on
                and dossier.due_on < today)


def ratable_dossiers(queryset=None, today=None):
    """The dossiers of ``queryset`` that :func:`is_ratable`, as one database filter."""
    from django.db.models import Q

    today = today or local_today()
    queryset = Dossier.objects.all() if queryset is None else queryset
    condition = Q(returned_on__isnull=False, returned_on__lte=today)
    if get_setting("RATE_OVERDUE_DOSSIERS"):
        condition |= Q(due_on__lt=today)
    return queryset.filter(condition)


def campaign_for(dossier, today=None):
    """The open campaign of the dossier's unit, else of its nearest ancestor, else None."""
    today = today or local_today()
    unit_ids = [int(pk) for pk in dossier.unit.path.strip("/").split("/") if pk]
    campaigns = (Campaign.objects.filter(unit__in=unit_ids, opens_on__lte=today,
                                         closes_on__gte=today)
                 .select_related("questionnaire", "unit"))
    # Deepest unit first: a ward's own campaign wins over the province's.
    return max(campaigns, key=lambda c: (len(c.unit.path), c.opens_on), default=None)


def is_rated(dossier, campaign):
    return Response.objects.filter(campaign=campaign, dossier_code=dossier.code,
                                   dossier_proven=True).exists()


def unanswered(queryset, campaign):
    """Dossiers of ``queryset`` without a response in ``campaign`` (one SQL EXISTS)."""
    return queryset.filter(~Exists(Response.objects.filter(
        campaign=campaign, dossier_code=OuterRef("code"), dossier_proven=True)))


def dossiers_in_scope(campaign):
    return Dossier.objects.filter(unit__in=Unit.objects.within(campaign.unit))


def check_can_rate(dossier, today=None):
    """Return the campaign the dossier is rated in, or raise :class:`DossierRefused`."""
    today = today or local_today()
    if not is_ratable(dossier, today):
        raise DossierRefused(
            _("Dossier %(code)s cannot be rated yet: you can rate it once its result has "
              "been returned to you.") % {"code": dossier.code}, code="not_returned")
    campaign = campaign_for(dossier, today)
    if campaign is None:
        raise DossierRefused(
            _("No survey is open for dossier %(code)s at the moment.") % {"code": dossier.code},
            code="no_campaign")
    if is_rated(dossier, campaign):
        raise DossierRefused(already_rated_message(dossier), code="already_rated")
    return campaign


def already_rated_message(dossier):
    return _("Dossier %(code)s has already been rated. Each dossier can be rated only once; "
             "thank you.") % {"code": dossier.code}


# --- Finding a dossier: code + secret code, or a signed link ----------------------------

def wrong_codes_message():
    return _("The dossier code and secret code do not match. Please check both codes on "
             "your receipt and try again.")


def find_by_codes(code, secret):
    """The dossier with this code and secret code, or raise :class:`DossierRefused`.

    An unknown code and a wrong secret give the same answer, so the form cannot be used
    to find out which dossier codes exist.
    """
    code = normalise_dossier_code(code)
    secret = (secret or "").strip().upper().replace(" ", "")
    dossier = Dossier.objects.select_related("unit", "procedure", "officer").filter(
        code=code).first() if code else None
    expected = dossier.secret_code if dossier else "-" * get_setting("DOSSIER_SECRET_LENGTH")
    if not (hmac.compare_digest(expected.encode(), secret.encode()) and dossier):
        raise DossierRefused(wrong_codes_message(), code="wrong_codes")
    return dossier


def too_many_attempts_message():
    return _("Too many attempts for this dossier code or from your connection. Please wait "
             "a few minutes and try again.")


def prove_codes(request, code, secret):
    """The dossier proven by its code + secret code, or raise :class:`DossierRefused`.

    Every comparison is reserved first against the per-code and per-client limits of
    ``guards.code_attempt``; a right pair gives its reservation back. Whether the code
    exists or not, a refusal reads the same.
    """
    from ..guards import code_attempt

    attempt = code_attempt(request, normalise_dossier_code(code))
    if attempt is None:
        raise DossierRefused(too_many_attempts_message(), code="too_many_attempts")
    try:
        dossier = find_by_codes(code, secret)
    except DossierRefused:
        attempt.wrong()
        raise
    attempt.right()
    return dossier


def prove_for_campaign(request, campaign, code, secret):
    """A dossier proven by code + secret code that may be rated in ``campaign`` now.

    What the website form does with a typed code when the campaign asks the secret code
    too: the replies are those of the code + secret page.
    """
    dossier = prove_codes(request, code, secret)
    rated_in = check_can_rate(dossier)
    if rated_in.pk != campaign.pk:
        raise DossierRefused(
            _("Dossier %(code)s is rated in another survey: %(survey)s.")
            % {"code": dossier.code, "survey": rated_in.title}, code="other_campaign")
    return dossier


def make_token(dossier, channel=Channel.DOSSIER_LINK):
    """A signed, timestamped token naming the dossier and the channel it was sent by."""
    return signing.dumps({"d": dossier.code, "c": str(channel)}, salt=LINK_SALT)


def read_token(token):
    """(dossier, channel) from a signed token, or raise :class:`DossierRefused`."""
    max_age = datetime.timedelta(days=get_setting("DOSSIER_LINK_MAX_AGE_DAYS"))
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise DossierRefused(
            _("This survey link has expired. You can still rate your dossier with its code "
              "and secret code."), code="expired") from error
    except signing.BadSignature as error:
        raise DossierRefused(
            _("This survey link is not valid. Please use the link or QR code exactly as you "
              "received it, or enter your dossier code and secret code."),
            code="forged") from error
    dossier = Dossier.objects.select_related("unit", "procedure", "officer").filter(
        code=payload.get("d")).first()
    channel = payload.get("c")
    if dossier is None or channel not in LINK_CHANNELS:
        raise DossierRefused(_("This survey link is not valid. Please use the link or QR "
                               "code exactly as you received it, or enter your dossier code "
                               "and secret code."), code="forged")
    return dossier, channel


def rating_path(dossier, channel=Channel.DOSSIER_LINK):
    return reverse("wagtail_satisfaction:dossier_rate", args=[make_token(dossier, channel)])


def rating_url(dossier, channel=Channel.DOSSIER_LINK):
    return public_url(rating_path(dossier, channel))


def opt_out_url(dossier):
    token = signing.dumps({"d": dossier.pk}, salt=OPT_OUT_SALT)
    return public_url(reverse("wagtail_satisfaction:dossier_opt_out", args=[token]))


def read_opt_out_token(token):
    max_age = datetime.timedelta(days=get_setting("OPT_OUT_LINK_MAX_AGE_DAYS"))
    try:
        payload = signing.loads(token, salt=OPT_OUT_SALT, max_age=max_age)
    except signing.BadSignature as error:
        raise DossierRefused(_("This unsubscribe link is not valid or has expired."),
                             code="forged") from error
    dossier = Dossier.objects.filter(pk=payload.get("d")).first()
    if dossier is None:
        raise DossierRefused(_("This unsubscribe link is not valid or has expired."),
                             code="forged")
    return dossier


# --- Storing the rating -----------------------------------------------------------------

def fixed_values(dossier):
    """What the rating form does not ask, because the dossier already says it."""
    return {"unit": dossier.unit, "procedure": dossier.procedure, "officer": dossier.officer,
            "dossier_code": dossier.code, "email": ""}


def submit_dossier_rating(dossier, form, channel=Channel.DOSSIER_LINK):
    """Store a valid SurveyForm for the dossier, re-checking every rule first."""
    from ..services import DuplicateResponse, submit_response

    campaign = check_can_rate(dossier)
    if campaign.pk != form.campaign.pk:
        raise DossierRefused(_("The survey for this dossier has changed. Please open your "
                               "link again."), code="campaign_changed")
    try:
        return submit_response(campaign, channel=channel, dossier_proven=True,
                               **form.response_data())
    except DuplicateResponse as error:
        raise DossierRefused(already_rated_message(dossier), code="already_rated") from error


# --- QR code ----------------------------------------------------------------------------

def qr_svg(url):
    """The QR code of ``url`` as inline SVG markup (no image file, prints sharply)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    # Drop the XML declaration so the markup can sit inside HTML.
    return svg[svg.index("<svg"):]


def qr_png(url):
    """The QR code of ``url`` as PNG bytes (for emails: mail readers do not show SVG)."""
    import qrcode

    buffer = io.BytesIO()
    qrcode.make(url, box_size=8, border=2).save(buffer, format="PNG")
    return buffer.getvalue()
