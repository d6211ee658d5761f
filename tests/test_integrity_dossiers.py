"""A dossier is rated once, by whoever proves it; a guessed or forged code gets nowhere.

On every channel: a guessed or forged dossier code stores nothing in the dossier's name,
gets the same reply whether the code exists or not, and the real holder can still rate.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.channels_factories import dossier_setup, make_dossier, make_kiosk_key, make_staff
from tests.factories import form_data
from wagtail_satisfaction.channels import dossiers
from wagtail_satisfaction.channels.paper import LOG_ACTION, template_columns
from wagtail_satisfaction.models import Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
LOOKUP = reverse("wagtail_satisfaction:dossier_lookup")
UNKNOWN = "HS-999999"


def survey_url(campaign):
    return reverse("wagtail_satisfaction:survey", args=[campaign.slug])


def reply(response):
    """What a visitor sees, without the parts that differ by request (tokens, typed code)."""
    html = response.content.decode()
    # The signed answers of the other steps are bound to the form's key and signed with the
    # time: per request too.
    html = re.sub(r'name="(csrfmiddlewaretoken|satisfaction_key|satisfaction_steps)" '
                  r'value="[^"]+"', "", html)
    return response.status_code, re.sub(r"HS-\d{6}", "<code>", html, flags=re.I)


def holder_rates(client, dossier):
    """The real holder: code + secret code on the lookup page, then the rating form."""
    found = client.post(LOOKUP, {"code": dossier.code, "secret": dossier.secret_code})
    assert found.status_code == 302
    campaign = dossiers.campaign_for(dossier)
    assert client.post(found["Location"], form_data(campaign)).status_code == 200
    return Response.objects.get(dossier_code=dossier.code, dossier_proven=True)


# --- Website form, campaign asking code + secret code (the default) -------------------

def test_website_form_asks_the_secret_code_with_the_dossier_code(client):
    campaign, _dossier = dossier_setup()
    html = client.get(survey_url(campaign)).content.decode()
    assert 'name="dossier_code"' in html and 'name="dossier_secret"' in html


def test_website_guessed_code_stores_nothing_and_reads_like_an_unknown_code(client):
    campaign, dossier = dossier_setup()
    guessed = client.post(survey_url(campaign), form_data(
        campaign, dossier_code=dossier.code.lower(), dossier_secret="ABCDEFGH"))
    unknown = client.post(survey_url(campaign), form_data(
        campaign, dossier_code=UNKNOWN, dossier_secret="ABCDEFGH"))
    assert guessed.status_code == 400 and "do not match" in guessed.content.decode()
    assert reply(guessed) == reply(unknown)
    # Without the secret code: the same request for both, never "already rated".
    bare = client.post(survey_url(campaign), form_data(campaign, dossier_code=dossier.code))
    bare_unknown = client.post(survey_url(campaign), form_data(campaign, dossier_code=UNKNOWN))
    assert bare.status_code == 400 and reply(bare) == reply(bare_unknown)
    assert Response.objects.count() == 0
    assert holder_rates(client, dossier).channel == "dossier_link"


def test_website_right_codes_bind_the_dossier_once(client):
    campaign, dossier = dossier_setup()
    data = form_data(campaign, dossier_code=f" {dossier.code.lower()} ",
                     dossier_secret=dossier.secret_code.lower())
    assert client.post(survey_url(campaign), data).status_code == 200
    stored = Response.objects.get()
    assert stored.dossier_proven and stored.dossier_code == dossier.code
    # The dossier says who handled it, as on the dossier's own rating page.
    assert (stored.procedure, stored.officer) == (dossier.procedure, dossier.officer)
    again = client.post(survey_url(campaign), data)
    assert again.status_code == 409 and "already been rated" in again.content.decode()
    # ... and answers kept for the holder (who proved the codes).
    assert re.search(r'value="4"[^>]*checked', again.content.decode())
    assert Response.objects.count() == 1


def test_website_already_rated_is_told_only_to_the_holder(client):
    campaign, dossier = dossier_setup()
    holder_rates(client, dossier)
    forged = client.post(survey_url(campaign), form_data(
        campaign, dossier_code=dossier.code, dossier_secret="WRONG234"))
    unknown = client.post(survey_url(campaign), form_data(
        campaign, dossier_code=UNKNOWN, dossier_secret="WRONG234"))
    assert "already" not in forged.content.decode()
    assert reply(forged) == reply(unknown)
    assert Response.objects.count() == 1


# --- Website form, typed code as a free reference --------------------------------------

def test_free_reference_guards_nothing_and_never_collides(client):
    campaign, dossier = dossier_setup(dossier_code_check="reference")
    html = client.get(survey_url(campaign)).content.decode()
    assert 'name="dossier_secret"' not in html and "For your reference only" in html
    first = client.post(survey_url(campaign), form_data(campaign, dossier_code=dossier.code))
    second = client.post(survey_url(campaign), form_data(campaign, dossier_code=dossier.code))
    unknown = client.post(survey_url(campaign), form_data(campaign, dossier_code=UNKNOWN))
    assert first.status_code == second.status_code == unknown.status_code == 200
    typed = Response.objects.filter(dossier_code=dossier.code)
    assert typed.count() == 2 and not typed.filter(dossier_proven=True).exists()
    # The holder's own rating is untouched by what others typed.
    assert holder_rates(client, dossier).dossier_proven
    assert client.post(survey_url(campaign), form_data(
        campaign, dossier_code=dossier.code)).status_code == 200


def test_campaign_admin_says_what_a_typed_code_does(client):
    campaign, _dossier = dossier_setup()
    client.force_login(make_staff("admin", superuser=True))
    html = client.get(reverse("wagtailsnippets_wagtail_satisfaction_campaign:edit",
                              args=[campaign.pk])).content.decode()
    assert 'name="dossier_code_check"' in html
    assert "proves nothing" in html and "rated once" in html


# --- Kiosk -------------------------------------------------------------------------------

def test_kiosk_never_takes_a_dossier_code_from_the_tablet(client):
    campaign, dossier = dossier_setup()
    kiosk = make_kiosk_key(campaign)
    url = reverse("wagtail_satisfaction:kiosk", args=[kiosk.key])
    assert 'name="dossier_code"' not in client.get(url).content.decode()
    data = form_data(campaign, officer=dossier.officer.pk, procedure=dossier.procedure.pk)
    forged = client.post(url, {**data, "dossier_code": dossier.code})
    unknown = client.post(url, {**data, "dossier_code": UNKNOWN})
    assert forged.status_code == unknown.status_code == 302
    assert not Response.objects.exclude(dossier_code="").exists()
    assert holder_rates(client, dossier).dossier_proven


# --- Dossier link / QR code --------------------------------------------------------------

def test_forged_link_reads_the_same_for_a_real_and_an_unknown_dossier(client):
    campaign, dossier = dossier_setup()
    real = dossiers.make_token(dossier)
    forged_real = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    from django.core import signing

    unsigned = signing.dumps({"d": UNKNOWN, "c": "dossier_link"}, key="not-the-site-key",
                             salt=dossiers.LINK_SALT)
    for token in (forged_real, unsigned):
        url = reverse("wagtail_satisfaction:dossier_rate", args=[token])
        assert client.get(url).status_code == 403
        assert client.post(url, form_data(campaign)).status_code == 403
    a = client.post(reverse("wagtail_satisfaction:dossier_rate", args=[forged_real]),
                    form_data(campaign))
    b = client.post(reverse("wagtail_satisfaction:dossier_rate", args=[unsigned]),
                    form_data(campaign))
    assert reply(a) == reply(b)
    assert Response.objects.count() == 0
    url = dossiers.rating_path(dossier)
    assert client.post(url, form_data(campaign)).status_code == 200
    assert Response.objects.get().dossier_proven


# --- Code + secret code page -------------------------------------------------------------

def test_code_and_secret_page_reads_the_same_for_rated_unrated_and_unknown(client):
    _campaign, dossier = dossier_setup()
    other = make_dossier(dossier.unit)
    holder_rates(client, other)  # a rated dossier
    replies = [reply(client.post(LOOKUP, {"code": code, "secret": "WRONG234"}))
               for code in (dossier.code, other.code, UNKNOWN)]
    assert replies[0] == replies[1] == replies[2] and replies[0][0] == 400
    assert Response.objects.count() == 1
    assert holder_rates(client, dossier).dossier_proven


def test_one_persons_wrong_guesses_do_not_lock_out_others_at_the_same_address(client, settings):
    settings.WAGTAIL_SATISFACTION_DOSSIER_CODE_ATTEMPTS = 3
    settings.WAGTAIL_SATISFACTION_DOSSIER_CLIENT_ATTEMPTS = 5
    _campaign, guessed = dossier_setup()
    neighbours = [make_dossier(guessed.unit) for _ in range(3)]
    for n in range(10):  # guessing one dossier: only 3 are compared
        client.post(LOOKUP, {"code": guessed.code, "secret": f"GUESS{n:03d}"})
    locked = client.post(LOOKUP, {"code": guessed.code, "secret": guessed.secret_code})
    unknown = client.post(LOOKUP, {"code": UNKNOWN, "secret": "GUESS999"})
    assert locked.status_code == 429 and "Too many attempts" in locked.content.decode()
    # The next person at the one-stop centre types their own right codes.
    for neighbour in neighbours:
        assert client.post(LOOKUP, {"code": neighbour.code,
                                    "secret": neighbour.secret_code}).status_code == 302
    assert unknown.status_code == 400  # 4th wrong pair of this client: under its bound
    client.post(LOOKUP, {"code": "HS-999998", "secret": "GUESS998"})  # 5th
    spread = client.post(LOOKUP, {"code": "HS-999997", "secret": "GUESS997"})
    assert spread.status_code == 429  # guessing across codes is bounded per client too


# --- Paper entry and paper import (staff) ----------------------------------------------

@pytest.fixture
def clerk(client):
    user = make_staff("clerk", "add_staffentry")
    client.force_login(user)
    return user


def paper_digits(campaign):
    return {f"q_{q.pk}": str(max(q.spec.values)) for q in campaign.questionnaire.questions()}


def test_paper_entry_checks_the_code_against_the_dossier_list_and_audits(client, clerk):
    campaign, dossier = dossier_setup()
    url = reverse("wagtail_satisfaction_paper:entry", args=[campaign.pk])
    data = {"form_number": "P-1", "channel": "paper", **paper_digits(campaign)}
    unknown = client.post(url, {**data, "dossier_code": UNKNOWN})
    assert unknown.status_code == 400 and "No dossier with the code" in unknown.content.decode()
    assert Response.objects.count() == 0
    assert client.post(url, {**data, "dossier_code": dossier.code.lower()}).status_code == 302
    stored = Response.objects.get()
    assert stored.dossier_proven and stored.entered_by == clerk
    log = ModelLogEntry.objects.get(action=LOG_ACTION)
    assert log.data["dossier_code"] == dossier.code and log.data["dossier_proven"] is True
    # Once rated on paper, the dossier is rated: its link says so, and a second form too.
    again = client.post(url, {**data, "form_number": "P-2", "dossier_code": dossier.code})
    assert again.status_code == 400 and "already been rated" in again.content.decode()
    assert client.get(dossiers.rating_path(dossier)).status_code == 409


def test_paper_import_refuses_a_code_outside_the_dossier_list(client, clerk):
    import io

    import openpyxl

    campaign, dossier = dossier_setup()
    columns = template_columns(campaign)
    answers = {q.code: max(q.spec.values) for q in campaign.questionnaire.questions()}
    book = openpyxl.Workbook()
    book.active.append(columns)
    for number, code in (("B-1", dossier.code), ("B-2", UNKNOWN)):
        row = {"form_number": number, "channel": "paper", "dossier_code": code, **answers}
        book.active.append([row.get(column, "") for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    page = client.post(reverse("wagtail_satisfaction_paper:import", args=[campaign.pk]),
                       {"file": SimpleUploadedFile("forms.xlsx", buffer.getvalue())})
    assert page.status_code == 400 and 'data-line="3"' in page.content.decode()
    assert UNKNOWN in page.content.decode()
    assert Response.objects.count() == 0  # all or nothing
    assert holder_rates(client, dossier).dossier_proven
