"""The moderation queue's refusals and no-ops: each tells the moderator what happened and
changes nothing it should not."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.moderation_factories import make_comment, make_moderator
from wagtail_satisfaction.models import Comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_inline", "english")]

QUEUE = "wagtail_satisfaction_comment_modeladmin_index"
MODERATE = "wagtail_satisfaction_comment_modeladmin_moderate"


@pytest.fixture
def moderator(client):
    client.force_login(make_moderator())
    return client


def shown(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_opening_the_moderate_url_goes_back_to_the_queue(moderator):
    response = moderator.get(reverse(MODERATE))
    assert response.status_code == 302 and response.url == reverse(QUEUE)


def test_no_comment_ticked_is_named(moderator, campaign):
    response = moderator.post(reverse(MODERATE), {"state": "spam"})
    assert response.status_code == 302 and response.url == reverse(QUEUE)
    assert shown(response) == ["Tick at least one comment first."]
    gone = moderator.post(reverse(MODERATE), {"state": "spam", "comment": ["987654"]})
    assert gone.status_code == 302
    assert shown(gone)[-1] == "Tick at least one comment first."


def test_deciding_again_what_is_already_decided_changes_nothing(moderator, campaign):
    comment = make_comment(campaign, "Vay tiền nhanh")
    Comment.objects.filter(pk=comment.pk).update(state="spam")
    logs = ModelLogEntry.objects.count()
    response = moderator.post(reverse(MODERATE), {"comment": [comment.pk], "state": "spam",
                                                  "confirm": "1"})
    assert response.status_code == 302
    assert shown(response) == ["Nothing changed: the comments were already Spam."]
    assert ModelLogEntry.objects.count() == logs


def test_a_too_long_reason_is_shown_on_the_confirmation_page(moderator, campaign):
    comment = make_comment(campaign, "Hồ sơ trả đúng hẹn")
    page = moderator.post(reverse(MODERATE), {"comment": [comment.pk], "state": "relevant",
                                              "confirm": "1", "reason": "x" * 256})
    html = page.content.decode()
    assert page.status_code == 400
    assert "The reason is too long (at most 255 characters)." in html
    assert "Hồ sơ trả đúng hẹn" in html
    comment.refresh_from_db()
    assert comment.state == "pending"


@pytest.mark.parametrize("query", [{"state": "deleted"}, {"score_band": "huge"},
                                   {"unit": "abc"}, {"unit": "987654"}])
def test_an_unknown_filter_value_falls_back_to_the_whole_queue(moderator, campaign, query):
    # A stale or hand-edited link used to be a server error.
    make_comment(campaign, "Hồ sơ trả đúng hẹn")
    response = moderator.get(reverse(QUEUE), query)
    assert response.status_code == 302 and response.url == reverse(QUEUE)
    assert shown(response) == [
        "A filter in the address is not known: the queue is shown without filters."]
    assert "Hồ sơ trả đúng hẹn" in moderator.get(response.url).content.decode()
