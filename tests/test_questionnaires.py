"""The shipped questionnaires and their versioning."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from tests.factories import full_answers, make_campaign, sipas, tthc
from wagtail_satisfaction.services import submit_response

pytestmark = pytest.mark.django_db


def test_sipas_service_part_has_items_15_to_33_in_five_factors():
    questionnaire = sipas()
    indexed = questionnaire.questions().filter(factor__counts_in_index=True)
    assert [q.code for q in indexed.order_by("factor__sort_order", "sort_order")] == [
        str(n) for n in range(15, 34)]
    assert indexed.values("factor").distinct().count() == 5
    assert set(indexed.values_list("scale", flat=True)) == {"satisfaction5"}
    expectations = questionnaire.questions().filter(scale="expectation3")
    assert expectations.count() == 7


def test_tthc_has_nine_indicators_worth_18_points():
    questions = list(tthc().questions())
    assert len(questions) == 9
    assert sum(max(q.spec.values) for q in questions) == 18
    assert questions[0].choices()[0] == ("2", "Trước hạn")


def test_satisfaction_choices_end_with_not_applicable():
    question = sipas().questions().first()
    assert [value for value, _label in question.choices()] == ["1", "2", "3", "4", "5", "na"]


def test_answered_questionnaire_cannot_change_and_new_version_copies_it():
    campaign = make_campaign()
    questionnaire = campaign.questionnaire
    questionnaire.full_clean()  # no responses yet: editable
    submit_response(campaign, answers=full_answers(campaign))
    with pytest.raises(ValidationError):
        questionnaire.full_clean()
    with pytest.raises(ProtectedError):
        questionnaire.questions().first().delete()

    copy = questionnaire.new_version()
    assert copy.version == 2 and copy.code == questionnaire.code
    assert copy.previous_version == questionnaire
    assert [q.text for q in copy.questions().order_by("factor__sort_order", "sort_order")] == [
        q.text for q in questionnaire.questions().order_by("factor__sort_order", "sort_order")]
    copy.full_clean()  # the new version is editable
    assert questionnaire.questions().count() == copy.questions().count()


def test_option_labels_must_use_scale_values():
    question = tthc().questions().first()
    question.option_labels = "7|Bảy"
    with pytest.raises(ValidationError):
        question.clean()


def test_admin_new_version_action(client):
    from tests.factories import make_user

    campaign = make_campaign()
    submit_response(campaign, answers=full_answers(campaign))
    url = f"/admin/satisfaction/questionnaires/{campaign.questionnaire.pk}/new-version/"
    editor = make_user("editor", is_staff=True)
    client.force_login(editor)
    refused = client.post(url)  # staff, but no admin access: sent to sign in
    assert refused.status_code == 302 and refused["Location"] == f"/admin/login/?next={url}"
    assert campaign.questionnaire.__class__.objects.filter(
        code=campaign.questionnaire.code).count() == 1

    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    listing = client.get("/admin/snippets/wagtail_satisfaction/questionnaire/").content.decode()
    assert url in listing
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    copy = campaign.questionnaire.__class__.objects.get(code=campaign.questionnaire.code,
                                                        version=2)
    assert response["Location"].endswith(f"/edit/{copy.pk}/")
