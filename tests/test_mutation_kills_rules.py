"""The rule modules at the edges mutation testing found unpinned (scripts/mutation.sh,
issue 10)."""

import pytest
from django.utils import translation

from wagtail_satisfaction.reports.disclosure import pool_label, pool_label_pattern

pytestmark = pytest.mark.django_db


# --- The small-group rule (reports/disclosure.py) ---------------------------------------------

def test_the_pooled_row_is_recognised_in_either_language_and_for_any_minimum():
    """A sub-unit's export names its pooled officers by the pool's label in the language it
    was made in; the import must read that cell as naming nobody, whichever the language
    and the minimum, and still read a real name as a name."""
    pattern = pool_label_pattern()
    labels = set()
    for language in ("vi", "en"):
        with translation.override(language):
            for minimum in (2, 5, 12):
                labels.add(pool_label(minimum))
    assert len(labels) == 6  # really two languages
    assert all(pattern.fullmatch(label) for label in labels)
    assert not pattern.fullmatch("Nguyễn Văn An")
    assert not pattern.fullmatch("Other officers")


def test_a_minimum_given_by_the_caller_wins_over_the_setting(settings):
    """The open data pages give their own minimum: with 2, an officer rated twice is shown
    although the site's setting (5) would pool everyone."""
    from wagtail_satisfaction.reports.disclosure import suppress_small_groups

    class Row:
        def __init__(self, responses):
            self.responses = responses

    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 5
    result = suppress_small_groups([("a", Row(2)), ("b", Row(1)), ("c", Row(3))], 2)
    # b alone (1) would be singled out: a, the smallest shown, joins the pool.
    assert [key for key, _row in result.shown] == ["c"]
    assert result.pooled_keys == {"a", "b"} and result.pooled_responses == 3
    assert not result.figures_withheld


@pytest.fixture
def clock_cache(settings):
    """A cache whose expiry follows ``time.time`` (which these tests move): Django's local
    memory cache. Redis (the PostgreSQL run's cache) expires keys on its own clock."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "clock-cache"}}
    from django.core.cache import caches

    caches["default"].clear()


# --- The rate limits' counters (guards.py) ----------------------------------------------------

def test_a_rate_limit_counter_holds_through_its_window_and_is_gone_two_windows_later(
        monkeypatch, clock_cache):
    """The count that refuses a visitor lasts as long as its window; the counter then expires
    by itself (a key per window: nothing in the cache outlives two windows, however many
    visitors came)."""
    import time

    from django.core.cache import caches

    from wagtail_satisfaction import guards

    now = [600.0 * 10_000]  # the start of a 10-minute window
    monkeypatch.setattr(time, "time", lambda: now[0])
    caches["default"].clear()
    first = guards.take_slot("survey", "203.0.113.9", 1, window=600)
    assert first.granted
    now[0] += 599  # the last second of the same window
    assert not guards.take_slot("survey", "203.0.113.9", 1, window=600).granted
    assert caches["default"].get(first.key) == 1
    now[0] += 600  # the next window: a fresh count, the old counter still there
    assert guards.take_slot("survey", "203.0.113.9", 1, window=600).granted
    assert caches["default"].get(first.key) == 1
    now[0] += 2  # two windows after the first was made
    assert caches["default"].get(first.key) is None


def test_a_survey_form_sent_again_within_a_day_is_not_stored_twice_and_the_key_then_expires(
        monkeypatch, clock_cache):
    """A reload of the thank-you page (the same form sent again) a day later still stores
    nothing; the form's key is forgotten after that day, so the cache does not fill up."""
    import time

    from django.core.cache import caches

    from tests.factories import make_campaign
    from wagtail_satisfaction.guards import new_submission_key

    now = [1_800_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    caches["default"].clear()
    campaign, key = make_campaign(), new_submission_key()
    assert claim_form_key(campaign, key).first
    now[0] += 24 * 3600 - 60  # the next day, a minute before the day is over
    assert not claim_form_key(campaign, key).first
    now[0] += 61
    assert claim_form_key(campaign, key).first


def test_behind_a_proxy_a_request_without_the_forwarded_header_counts_by_its_connection(
        settings):
    """A request that reached Django without passing our proxy (no X-Forwarded-For) is
    counted by the address it came from; one with no address at all (a Unix socket) shares
    the empty address instead of failing."""
    from django.test import RequestFactory

    from wagtail_satisfaction.guards import admit_submission, client_address

    settings.WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = 1
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    settings.WAGTAIL_SATISFACTION_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) == ""
    slot, _sent = admit_submission(request, None, "")
    assert slot.granted


# --- Storing a response (services.py) ---------------------------------------------------------

def test_a_required_tthc_indicator_left_unanswered_is_refused_by_its_code(english):
    """0–2 point indicators have no "not applicable": a None there is a missing answer."""
    from django.core.exceptions import ValidationError

    from tests.factories import full_answers, make_campaign, tthc
    from wagtail_satisfaction.models import Response
    from wagtail_satisfaction.services import submit_response

    campaign = make_campaign(questionnaire=tthc())
    indicator = next(q for q in campaign.questionnaire.questions()
                     if q.required and not q.spec.allows_not_applicable)
    answers = full_answers(campaign)
    answers[indicator] = None
    with pytest.raises(ValidationError) as refused:
        submit_response(campaign, answers=answers)
    assert refused.value.messages == [f"Question {indicator.code} needs an answer."]
    assert Response.objects.count() == 0


def test_a_response_given_no_code_email_or_comment_stores_none(campaign):
    """The API and the import pass None or nothing for what a respondent left empty."""
    from tests.factories import full_answers
    from wagtail_satisfaction.models import Comment
    from wagtail_satisfaction.services import submit_response

    for empty in ({}, {"dossier_code": None, "email": None, "comment": None}):
        response = submit_response(campaign, answers=full_answers(campaign), **empty)
        response.refresh_from_db()
        assert (response.dossier_code, response.email, response.dossier_proven) == ("", "",
                                                                                    False)
        assert not Comment.objects.filter(response=response).exists()


def test_a_paper_form_keeps_the_clerk_who_typed_it(campaign):
    from tests.factories import full_answers, make_user
    from wagtail_satisfaction.models import Channel
    from wagtail_satisfaction.services import submit_response

    clerk = make_user("nhaplieu")
    response = submit_response(campaign, answers=full_answers(campaign), channel=Channel.PAPER,
                               entered_by=clerk)
    response.refresh_from_db()
    assert response.entered_by == clerk and response.channel == Channel.PAPER


def test_a_response_is_counted_for_the_unit_it_names_else_its_procedures_or_officers(campaign):
    """The API and the import may name only a procedure or an officer: the response then
    counts for that one's unit; a named unit wins; nothing named counts for the campaign's."""
    from tests.factories import full_answers, make_officer, make_procedure, make_unit
    from wagtail_satisfaction.services import submit_response

    ward_a = make_unit("Phường Một", parent=campaign.unit)
    ward_b = make_unit("Phường Hai", parent=campaign.unit)
    procedure, officer = make_procedure(ward_a), make_officer(ward_b)

    def unit_of(**given):
        return submit_response(campaign, answers=full_answers(campaign), **given).unit

    assert unit_of() == campaign.unit
    assert unit_of(procedure=procedure) == ward_a
    assert unit_of(officer=officer) == ward_b
    assert unit_of(procedure=procedure, officer=officer) == ward_a
    assert unit_of(unit=ward_b, procedure=procedure) == ward_b


def test_an_imported_response_keeps_the_time_it_was_given(campaign):
    import datetime

    from django.utils import timezone

    from tests.factories import full_answers
    from wagtail_satisfaction.services import submit_response

    when = timezone.now() - datetime.timedelta(days=3, hours=2)
    response = submit_response(campaign, answers=full_answers(campaign), submitted_at=when)
    response.refresh_from_db()
    assert response.submitted_at == when


def test_one_address_may_answer_twice_unless_the_campaign_allows_one_response_per_email(
        campaign):
    from tests.factories import full_answers, make_campaign
    from wagtail_satisfaction.services import DuplicateResponse, submit_response

    for _twice in range(2):
        submit_response(campaign, answers=full_answers(campaign), email="an@example.vn")
    assert campaign.responses.count() == 2
    strict = make_campaign(one_response_per_email=True)
    submit_response(strict, answers=full_answers(strict), email="an@example.vn")
    with pytest.raises(DuplicateResponse):
        submit_response(strict, answers=full_answers(strict), email=" AN@example.vn ")


def test_an_imported_response_keeps_the_id_it_was_exported_with(campaign):
    import uuid

    from tests.factories import full_answers
    from wagtail_satisfaction.services import submit_response

    uid = uuid.uuid4()
    response = submit_response(campaign, answers=full_answers(campaign), uid=uid)
    response.refresh_from_db()
    assert response.uid == uid


def test_a_duplicate_email_is_not_taken_for_a_rated_dossier_nor_the_reverse(english):
    """Each refusal names what is really duplicated: the dossier only when this dossier was
    proven and rated in this campaign, else the email."""
    from tests.factories import full_answers, make_campaign
    from wagtail_satisfaction.services import DuplicateResponse, submit_response

    strict, other = make_campaign(one_response_per_email=True), make_campaign()

    def submit(campaign, **given):
        return submit_response(campaign, answers=full_answers(campaign), **given)

    submit(strict, email="an@example.vn", dossier_code="HS-1", dossier_proven=True)
    submit(strict, email="binh@example.vn", dossier_code="HS-3")  # a free reference
    submit(other, dossier_code="HS-2", dossier_proven=True)  # rated in another campaign
    for code, proven in [("HS-9", True), ("HS-1", False), ("HS-2", True), ("HS-3", True)]:
        with pytest.raises(DuplicateResponse) as refused:
            submit(strict, email="an@example.vn", dossier_code=code, dossier_proven=proven)
        assert refused.value.code == "duplicate_email", code
        assert refused.value.messages == [
            "A response with this email has already been recorded in this survey."]
    with pytest.raises(DuplicateResponse) as refused:
        submit(strict, email="chi@example.vn", dossier_code="hs-1", dossier_proven=True)
    assert refused.value.code == "duplicate_dossier"
    assert refused.value.messages == ["Dossier HS-1 has already been rated in this survey. "
                                      "Each dossier can be rated once."]
    assert strict.responses.count() == 2


def test_a_database_error_beside_earlier_responses_is_not_disguised_as_a_duplicate(
        campaign, monkeypatch):
    from django.db import IntegrityError

    from tests.factories import full_answers
    from wagtail_satisfaction import services

    services.submit_response(campaign, answers=full_answers(campaign))

    def broken(*args, **kwargs):
        raise IntegrityError("disk full")

    monkeypatch.setattr(services, "seal_response", broken)
    with pytest.raises(IntegrityError):
        services.submit_response(campaign, answers=full_answers(campaign))
    assert campaign.responses.count() == 1


def test_a_database_error_in_a_one_response_per_email_campaign_is_not_disguised_either(
        monkeypatch):
    """The same address in another campaign, or another address in this one, is no
    duplicate: a failing write is reported as the failure it is."""
    from django.db import IntegrityError

    from tests.factories import full_answers, make_campaign
    from wagtail_satisfaction import services

    strict, elsewhere = (make_campaign(one_response_per_email=True) for _ in range(2))
    services.submit_response(elsewhere, answers=full_answers(elsewhere), email="an@example.vn")
    services.submit_response(strict, answers=full_answers(strict), email="binh@example.vn")

    def broken(*args, **kwargs):
        raise IntegrityError("disk full")

    monkeypatch.setattr(services, "seal_response", broken)
    with pytest.raises(IntegrityError):
        services.submit_response(strict, answers=full_answers(strict), email="an@example.vn")
    assert strict.responses.count() == 1


def test_one_time_form_keys_are_claimed_one_by_one_and_freed_on_release(campaign):
    """Two forms never share a claim, a released key can be claimed again (the corrected
    form is stored), and a malformed key is never deduplicated."""
    from django.core.cache import caches

    from wagtail_satisfaction.guards import new_submission_key

    caches["default"].clear()
    first, second = new_submission_key(), new_submission_key()
    claimed = claim_form_key(campaign, first)
    assert claimed.first and claim_form_key(campaign, second).first
    assert not claim_form_key(campaign, first).first
    claimed.release()
    assert claim_form_key(campaign, first).first
    for _twice in range(2):
        assert claim_form_key(campaign, "ngan").first
        assert claim_form_key(campaign, "").first


def test_a_submissions_slot_holds_for_its_window_and_its_form_key_for_a_day(
        monkeypatch, settings, campaign, clock_cache):
    """What the survey form checks in one round trip (guards.admit_submission): the rate
    limit's count lasts its window and expires two windows later; the form's key refuses the
    same form for a day and is then forgotten; a kiosk (not rate limited) is never refused."""
    import time

    from django.core.cache import caches
    from django.test import RequestFactory

    from wagtail_satisfaction.guards import admit_submission, new_submission_key

    settings.WAGTAIL_SATISFACTION_RATE_LIMIT = 1
    settings.WAGTAIL_SATISFACTION_RATE_LIMIT_WINDOW = 600
    start = 600.0 * 10_000
    now = [start]
    monkeypatch.setattr(time, "time", lambda: now[0])
    caches["default"].clear()
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.20")
    form, other = new_submission_key(), new_submission_key()
    slot, sent = admit_submission(request, campaign, form)
    assert slot.granted and sent.first
    now[0] += 599
    refused, unused = admit_submission(request, campaign, other)
    assert not refused.granted
    unused.release()
    assert caches["default"].get(slot.key) == 1
    at_the_counter, _sent = admit_submission(request, campaign, None, rate_limited=False)
    assert at_the_counter.granted and at_the_counter.key is None
    now[0] += 602  # two windows after the count was made
    assert caches["default"].get(slot.key) is None
    now[0] = start + 24 * 3600 - 60  # a minute before the form's day is over
    assert not admit_submission(request, campaign, form)[1].first
    now[0] = start + 24 * 3600 + 1
    assert admit_submission(request, campaign, form)[1].first


def claim_form_key(campaign, key):
    """The one-time key's claim of a submission that is not rate limited (a kiosk's)."""
    from wagtail_satisfaction.guards import admit_submission

    return admit_submission(None, campaign, key, rate_limited=False)[1]
