"""Correcting a typed form: recorded, sealed as a new link, tallies moved, never a silent edit."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.channels_factories import make_officer, make_procedure, make_staff
from tests.factories import full_answers, make_campaign, make_unit
from wagtail_satisfaction.channels import corrections
from wagtail_satisfaction.channels.paper import StaffEntryForm, enter_response
from wagtail_satisfaction.integrity.verify import verify
from wagtail_satisfaction.models import (
    Answer,
    AnswerTally,
    Comment,
    EntryCorrection,
    Response,
    ResponseSeal,
    ResponseTally,
    Round,
    SealChain,
    StaffEntry,
    UnitScope,
)
from wagtail_satisfaction.reports.rollup import roll_up_pending
from wagtail_satisfaction.services import submit_response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def digits(campaign, digit="4"):
    data = {}
    for question in campaign.questionnaire.questions():
        values = {str(v) for v in question.spec.values}
        data[f"q_{question.pk}"] = digit if digit in values else sorted(values)[-1]
    return data


def setup_campaign():
    campaign = make_campaign()
    campaign.procedure = make_procedure(campaign.unit, code="2.000123")
    campaign.officer = make_officer(campaign.unit, name="Trần Thị Hoa")
    return campaign


@pytest.fixture
def campaign():
    return setup_campaign()


@pytest.fixture
def clerk():
    return make_staff("clerk", "add_staffentry")


def type_in(campaign, user, number="P-1", comment="Cán bộ nhiệt tình", **extra):
    data = {"form_number": number, "channel": "post", "procedure": campaign.procedure.pk,
            "officer": campaign.officer.pk, "comment": comment, **digits(campaign), **extra}
    form = StaffEntryForm(data, campaign=campaign)
    assert form.is_valid(), form.errors
    return enter_response(form, user)


def first_question(campaign):
    """A 1–5 question of the index (its tallies are counted per value)."""
    return campaign.questionnaire.questions().filter(scale="satisfaction5").first()


def correct_url(response):
    return reverse("wagtail_satisfaction_paper:correct", args=[response.pk])


def correction_data(client, response, **changes):
    """The correction form as drawn for the user (prefilled), with ``changes`` typed over."""
    page = client.get(correct_url(response))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data.update(reason="Gõ nhầm", **changes)
    return data


def verified(campaign):
    result = verify([campaign.pk])
    return [problem.kind for problem in result.problems]


def answer_tally(campaign, question):
    row = AnswerTally.objects.get(campaign=campaign, question=question)
    return {column: getattr(row, column) for column in ("v1", "v2", "v3", "v4", "v5", "na")
            if getattr(row, column)}


# --- The typist corrects their own form -------------------------------------------------


def test_the_typist_corrects_a_mistyped_answer_and_everything_stays_exact(client, campaign,
                                                                         clerk):
    response = type_in(campaign, clerk)
    question = first_question(campaign)
    client.force_login(clerk)
    page = client.get(reverse("wagtail_satisfaction_paper:entry", args=[campaign.pk]))
    assert correct_url(response) in page.content.decode()  # from "Your last entries"

    drawn = client.get(correct_url(response))
    html = drawn.content.decode()
    assert f'name="q_{question.pk}" value="4"' in html  # the same form, prefilled
    assert "P-1" in html and 'name="form_number"' not in html  # number shown, not editable

    result = client.post(correct_url(response), correction_data(
        client, response, **{f"q_{question.pk}": "2"}))
    assert result.status_code == 302
    assert result["Location"] == reverse("wagtail_satisfaction_paper:entry",
                                         args=[campaign.pk])
    assert Answer.objects.get(response=response, question=question).value == 2
    correction = EntryCorrection.objects.get()
    assert (correction.corrected_by, correction.reason) == (clerk, "Gõ nhầm")
    assert corrections.changes(correction) == [
        (f"{question.code}. {question.text}", "4 (Satisfied)", "2 (Dissatisfied)")]
    # The tallies moved with the answer and the scores; the verification finds nothing.
    assert answer_tally(campaign, question) == {"v2": 1}
    stored = Response.objects.get(pk=response.pk)
    assert stored.dissatisfied is True
    assert ResponseTally.objects.get(campaign=campaign).dissatisfied == 1
    assert verified(campaign) == []
    # A new link sealed the corrected content: two links, the head at the second.
    links = list(ResponseSeal.objects.filter(campaign=campaign).order_by("seq"))
    assert [(link.response_id, link.correction_id) for link in links] == [
        (response.pk, None), (None, correction.pk)]
    assert SealChain.objects.get(campaign=campaign).digest == links[1].digest
    log = ModelLogEntry.objects.get(action=corrections.LOG_ACTION)
    assert log.user == clerk and log.data["reason"] == "Gõ nhầm"


def test_an_edit_behind_the_products_back_after_a_correction_is_still_found(client, campaign,
                                                                          clerk):
    response = type_in(campaign, clerk)
    question = first_question(campaign)
    client.force_login(clerk)
    client.post(correct_url(response), correction_data(client, response,
                                                       **{f"q_{question.pk}": "2"}))
    assert verified(campaign) == []

    Answer.objects.filter(response=response, question=question).update(value=5)
    assert "altered" in verified(campaign)
    Answer.objects.filter(response=response, question=question).update(value=2)
    assert verified(campaign) == []
    # Rewriting what the record says the form was before is found too...
    correction = EntryCorrection.objects.get()
    EntryCorrection.objects.filter(pk=correction.pk).update(
        before=correction.before.replace('"comment":"Cán bộ nhiệt tình"', '"comment":"Tốt"'))
    assert verified(campaign) == ["correction"]
    EntryCorrection.objects.filter(pk=correction.pk).update(before=correction.before)
    # ...and so is a correction record inserted without a link of the chain, or one removed.
    EntryCorrection.objects.create(campaign=campaign, response=response, corrected_by=clerk,
                                   reason="giả", before=correction.after, after="{}")
    assert "correction" in verified(campaign)
    EntryCorrection.objects.filter(reason="giả").delete()
    EntryCorrection.objects.filter(pk=correction.pk).delete()
    assert "correction" in verified(campaign) and "altered" in verified(campaign)


def test_a_form_altered_behind_the_products_back_cannot_be_laundered_by_a_correction(
        client, campaign, clerk):
    response = type_in(campaign, clerk)
    question = first_question(campaign)
    client.force_login(clerk)
    data = correction_data(client, response, **{f"q_{question.pk}": "2"})
    Answer.objects.filter(response=response, question=question).update(value=1)
    page = client.post(correct_url(response), data)
    assert page.status_code == 400
    assert "no longer matches its seal" in page.content.decode()
    assert not EntryCorrection.objects.exists()
    assert "altered" in verified(campaign)  # still found


def test_procedure_officer_and_comment_are_corrected_and_the_unit_follows(client, campaign,
                                                                         clerk, tasks_inline):
    commune = make_unit("Phường 1", parent=campaign.unit)
    procedure = make_procedure(commune, code="1.000001")
    response = type_in(campaign, clerk)
    client.force_login(clerk)
    result = client.post(correct_url(response), correction_data(
        client, response, procedure=procedure.pk, officer="", comment="Hồ sơ trả đúng hẹn"))
    assert result.status_code == 302
    stored = Response.objects.get(pk=response.pk)
    assert (stored.procedure, stored.officer, stored.unit) == (procedure, None, commune)
    comment = Comment.objects.get(response=response)
    assert comment.text == "Hồ sơ trả đúng hẹn" and comment.score is not None  # sorted again
    assert {unit: count for unit, count in ResponseTally.objects.filter(
        campaign=campaign).values_list("unit", "responses") if count} == {commune.pk: 1}
    assert verified(campaign) == []
    shown = dict((what, (was, now)) for what, was, now in
                 corrections.changes(EntryCorrection.objects.get()))
    assert shown["Procedure"][1] == str(procedure) and shown["Officer"][1] == "—"
    assert shown["Comment"] == ("Cán bộ nhiệt tình", "Hồ sơ trả đúng hẹn")

    # A second correction removes the comment: one more link, still verified.
    result = client.post(correct_url(response), correction_data(client, response, comment=""))
    assert result.status_code == 302
    assert not Comment.objects.filter(response=response).exists()
    assert ResponseSeal.objects.filter(campaign=campaign).count() == 3
    assert verified(campaign) == []


def test_nothing_changed_is_refused(client, campaign, clerk):
    response = type_in(campaign, clerk)
    client.force_login(clerk)
    page = client.post(correct_url(response), correction_data(client, response))
    assert page.status_code == 400 and "Nothing was changed" in page.content.decode()
    assert not EntryCorrection.objects.exists()


def test_a_reason_is_required(client, campaign, clerk):
    response = type_in(campaign, clerk)
    question = first_question(campaign)
    client.force_login(clerk)
    data = correction_data(client, response, **{f"q_{question.pk}": "2"})
    data["reason"] = ""
    assert client.post(correct_url(response), data).status_code == 400
    assert Answer.objects.get(response=response, question=question).value == 4


def test_a_form_corrected_meanwhile_by_someone_else_is_not_overwritten(client, campaign,
                                                                      clerk):
    response = type_in(campaign, clerk)
    question = first_question(campaign)
    client.force_login(clerk)
    first = correction_data(client, response, **{f"q_{question.pk}": "2"})
    second = correction_data(client, response, **{f"q_{question.pk}": "5"})
    assert client.post(correct_url(response), first).status_code == 302
    page = client.post(correct_url(response), second)
    assert page.status_code == 409
    assert "corrected by someone else meanwhile" in page.content.decode()
    assert f'name="q_{question.pk}" value="2"' in page.content.decode()  # what is stored now
    assert Answer.objects.get(response=response, question=question).value == 2
    assert EntryCorrection.objects.count() == 1 and verified(campaign) == []


# --- Who may correct, and until when -----------------------------------------------------


def test_another_staff_member_cannot_correct_someone_elses_form(client, campaign, clerk):
    response = type_in(campaign, clerk)
    other = make_staff("other-clerk", "add_staffentry")
    client.force_login(other)
    assert client.get(correct_url(response)).status_code == 404
    assert client.post(correct_url(response), {"reason": "x"}).status_code == 404
    page = client.get(reverse("wagtail_satisfaction_paper:entry", args=[campaign.pk]))
    assert correct_url(response) not in page.content.decode()


def test_a_reviewer_corrects_any_typed_form_of_their_units_only(client, campaign, clerk):
    response = type_in(campaign, clerk)
    question = first_question(campaign)
    reviewer = make_staff("iso", "change_staffentry", "view_response")
    client.force_login(reviewer)
    result = client.post(correct_url(response), correction_data(
        client, response, **{f"q_{question.pk}": "3"}))
    assert result.status_code == 302
    assert result["Location"] == reverse("wagtail_satisfaction_response_modeladmin_inspect",
                                         args=[response.pk])
    assert EntryCorrection.objects.get().corrected_by == reviewer
    # Bound to another unit, the same reviewer no longer finds the form.
    UnitScope.objects.create(user=reviewer, unit=make_unit("Sở khác"))
    client.force_login(reviewer)
    assert client.get(correct_url(response)).status_code == 404


def test_a_reviewer_bound_to_a_commune_keeps_the_form_in_their_units(client, campaign, clerk):
    """The campaign reaches the whole department; a reviewer of one commune is offered
    only the commune's procedures and officers, and cannot move the form out of it."""
    commune = make_unit("Phường 1", parent=campaign.unit)
    other = make_unit("Phường 2", parent=campaign.unit)
    ours = make_procedure(commune, code="1.000001", name="Đăng ký khai sinh")
    theirs = make_procedure(other, code="1.000002", name="Đăng ký kết hôn")
    officer = make_officer(commune, name="Lê Văn Nam")
    response = type_in(campaign, clerk, procedure=ours.pk, officer=officer.pk)
    reviewer = make_staff("commune-iso", "change_staffentry", "view_response")
    UnitScope.objects.create(user=reviewer, unit=commune)
    client.force_login(reviewer)

    page = client.get(correct_url(response))
    html = page.content.decode()
    assert "Đăng ký khai sinh" in html and "Lê Văn Nam" in html
    assert "Đăng ký kết hôn" not in html and "Trần Thị Hoa" not in html
    sent = client.post(correct_url(response), correction_data(client, response,
                                                              procedure=theirs.pk))
    assert sent.status_code == 400
    sent = client.post(correct_url(response), correction_data(client, response,
                                                              procedure="", officer=""))
    assert sent.status_code == 400
    assert "must stay in one of your units" in sent.content.decode()
    stored = Response.objects.get(pk=response.pk)
    assert (stored.procedure, stored.unit) == (ours, commune)
    assert not EntryCorrection.objects.exists() and verified(campaign) == []


def test_a_citizens_own_response_is_never_correctable(client, campaign, clerk):
    website = submit_response(campaign, answers=full_answers(campaign), comment="Tốt")
    kiosk = submit_response(campaign, answers=full_answers(campaign), channel="kiosk")
    admin = make_staff("admin", superuser=True)
    client.force_login(admin)
    for response in (website, kiosk):
        assert client.get(correct_url(response)).status_code == 404
        assert client.post(correct_url(response), {"reason": "x"}).status_code == 404
    # Even with a staff entry attached behind the product's back, the service refuses.
    entry = StaffEntry.objects.create(response=website, campaign=campaign, form_number="X",
                                      entered_by=clerk)
    form = corrections.CorrectionForm(entry=entry)
    form.cleaned_data = {"version": corrections.latest_link(website).digest}
    with pytest.raises(ValidationError, match="Only forms typed in by staff"):
        corrections.correct_entry(entry, form, admin)
    assert not EntryCorrection.objects.exists()
    inspect = client.get(reverse("wagtail_satisfaction_response_modeladmin_inspect",
                                 args=[kiosk.pk]))
    assert inspect.status_code == 200 and correct_url(kiosk) not in inspect.content.decode()


def test_the_typist_corrects_the_same_day_only(client, campaign, clerk):
    response = type_in(campaign, clerk)
    StaffEntry.objects.filter(response=response).update(
        entered_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(clerk)
    page = client.get(reverse("wagtail_satisfaction_paper:entry", args=[campaign.pk]))
    assert correct_url(response) not in page.content.decode()
    refused = client.get(correct_url(response))
    assert refused.status_code == 302
    assert not EntryCorrection.objects.exists()


def test_a_reviewer_corrects_until_the_report_is_closed(campaign, clerk):
    response = type_in(campaign, clerk)
    entry = StaffEntry.objects.get(response=response)
    reviewer = make_staff("iso", "change_staffentry")
    campaign.closes_on = timezone.localdate() - datetime.timedelta(days=20)
    campaign.save()
    entry.campaign.refresh_from_db()
    assert not corrections.can_correct(entry, reviewer)  # 15 days after closing by default
    assert corrections.can_correct(entry, clerk)  # the typist, the same day
    Round.objects.create(campaign=campaign, name="Quý 4", starts_on=campaign.opens_on,
                         ends_on=campaign.closes_on,
                         report_deadline=timezone.localdate() + datetime.timedelta(days=3))
    assert corrections.can_correct(entry, reviewer)


def test_the_iso_secretary_sees_the_corrections_in_vietnamese(client, campaign, clerk):
    from django.utils import translation

    from tests.factories import make_user
    from wagtail_satisfaction import roles

    response = type_in(campaign, clerk)
    question = first_question(campaign)
    client.force_login(clerk)
    client.post(correct_url(response), correction_data(client, response,
                                                       **{f"q_{question.pk}": "2"}))
    roles.ensure_role_groups()
    secretary = make_user("thu-ky", roles.ISO_SECRETARY)
    client.force_login(secretary)
    with translation.override("vi"):
        page = client.get(reverse("wagtail_satisfaction_response_modeladmin_inspect",
                                  args=[response.pk]), HTTP_ACCEPT_LANGUAGE="vi")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Các lần sửa phiếu đã nhập" in html and "Gõ nhầm" in html
    assert "4 (Hài lòng)" in html and "2 (Không hài lòng)" in html
    assert correct_url(response) in html  # the secretary may still correct it


def test_the_responses_list_shows_the_corrected_typed_forms(client, campaign, clerk):
    corrected = type_in(campaign, clerk, number="P-1")
    untouched = type_in(campaign, clerk, number="P-2")
    question = first_question(campaign)
    client.force_login(clerk)
    client.post(correct_url(corrected), correction_data(client, corrected,
                                                        **{f"q_{question.pk}": "2"}))
    client.force_login(make_staff("iso", "change_staffentry", "view_response"))
    page = client.get(reverse("wagtail_satisfaction_response_modeladmin_index"),
                      {"corrected": "yes"})
    html = page.content.decode()

    def inspect(response):
        return reverse("wagtail_satisfaction_response_modeladmin_inspect", args=[response.pk])

    assert page.status_code == 200 and "Corrected typed forms" in html
    assert inspect(corrected) in html and inspect(untouched) not in html


# --- PostgreSQL: concurrent corrections ---------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_corrections_one_wins_and_the_tallies_stay_exact():
    campaign = setup_campaign()
    clerk = make_staff("clerk-pg", "add_staffentry")
    response = type_in(campaign, clerk)
    entry = StaffEntry.objects.get(response=response)
    question = first_question(campaign)
    version = corrections.latest_link(response).digest
    count = 6
    barrier = threading.Barrier(count + 5)
    outcomes = []

    def correct(value):
        try:
            data = {**digits(campaign), "procedure": campaign.procedure.pk,
                    "officer": campaign.officer.pk, "comment": "Cán bộ nhiệt tình",
                    f"q_{question.pk}": str(value), "reason": f"lần {value}",
                    "version": version}
            form = corrections.CorrectionForm(data, entry=StaffEntry.objects.select_related(
                "response", "campaign").get(pk=entry.pk))
            assert form.is_valid(), form.errors
            barrier.wait(timeout=30)
            corrections.correct_entry(form.entry, form, clerk)
            outcomes.append("corrected")
        except ValidationError as error:
            outcomes.append("stale" if corrections.stale_message() in error.messages
                            else str(error))
        finally:
            connection.close()

    def submit():
        try:
            barrier.wait(timeout=30)
            submit_response(campaign, answers=full_answers(campaign, 3), comment="Tốt")
            outcomes.append("submitted")
        finally:
            connection.close()

    def roll_up():
        try:
            barrier.wait(timeout=30)
            roll_up_pending()
        finally:
            connection.close()

    threads = [threading.Thread(target=correct, args=(value,))
               for value in (1, 2, 3, 5, 1, 2)[:count]]
    threads += [threading.Thread(target=submit) for _ in range(3)]
    threads += [threading.Thread(target=roll_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["corrected"] + ["stale"] * (count - 1) + ["submitted"] * 3
    assert EntryCorrection.objects.count() == 1
    winner = EntryCorrection.objects.get()
    assert Answer.objects.get(response=response, question=question).value == int(
        winner.reason.split()[-1])
    assert ResponseSeal.objects.filter(campaign=campaign).count() == 5
    assert verified(campaign) == []  # seals, chain and tallies against the raw answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rolled_up", [False, True])
def test_a_correction_counts_once_whether_or_not_the_form_was_rolled_up(rolled_up):
    """On PostgreSQL a new response waits in a queue before it reaches the tallies."""
    from wagtail_satisfaction.models import PendingTally

    campaign = setup_campaign()
    clerk = make_staff("clerk-queue", "add_staffentry")
    response = type_in(campaign, clerk)
    assert PendingTally.objects.filter(response=response).exists()
    if rolled_up:
        roll_up_pending()
    entry = StaffEntry.objects.select_related("response", "campaign").get(response=response)
    question = first_question(campaign)
    form = corrections.CorrectionForm(entry=entry)
    data = {name: "" if form[name].value() is None else form[name].value()
            for name in form.fields}
    # Another procedure too: the monthly tallies by procedure, field and officer move with it.
    other = make_procedure(campaign.unit, code="1.000009")
    data.update({f"q_{question.pk}": "1", "reason": "Gõ nhầm", "procedure": other.pk})
    form = corrections.CorrectionForm(data, entry=entry)
    assert form.is_valid(), form.errors
    corrections.correct_entry(entry, form, clerk)
    assert not PendingTally.objects.exists()
    from wagtail_satisfaction.models import ProcedureDayResponseTally, ProcedureResponseTally

    for model in (ProcedureResponseTally, ProcedureDayResponseTally):  # monthly and daily
        assert {key: n for key, n in model.objects.filter(campaign=campaign)
                .values_list("procedure_key", "responses") if n} == {other.pk: 1}
    assert answer_tally(campaign, question) == {"v1": 1}
    assert ResponseTally.objects.get(campaign=campaign).responses == 1
    assert verified(campaign) == []
