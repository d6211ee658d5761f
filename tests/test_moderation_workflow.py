"""Comment moderation rules: first sort, decisions, history, final text, queryset."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from wagtail.models import ModelLogEntry, Site

from tests.factories import make_officer, make_procedure, make_user
from tests.moderation_factories import make_comment, make_moderator
from wagtail_satisfaction.models import Comment, CommentIsFinal, ModerationSettings
from wagtail_satisfaction.moderation.decisions import decide, history
from wagtail_satisfaction.moderation.text import fold

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_inline")]


def test_new_comment_is_scored_but_waits_for_a_person(campaign):
    comment = make_comment(campaign, "Hồ sơ được trả đúng hẹn, cán bộ một cửa tận tình.")
    comment.refresh_from_db()
    assert comment.state == "pending"
    assert comment.suggested_state == "relevant"
    assert comment.score > 0.5
    assert "hồ sơ" in [m["term"] for m in comment.matched_terms]
    assert not ModelLogEntry.objects.exists()


def test_campaign_procedures_and_officers_feed_the_sort(campaign):
    make_procedure(campaign.unit, name="Đăng ký khai sinh")
    make_officer(campaign.unit, name="Nguyễn Thị Lan")
    comment = make_comment(campaign, "Khai sinh cho con nhanh, cảm ơn chị Nguyễn Thị Lan")
    comment.refresh_from_db()  # sorted by the task worker
    kinds = {m["kind"]: m["term"] for m in comment.matched_terms}
    assert kinds["procedure"] == "Đăng ký khai sinh"
    assert kinds["officer"] == "Nguyễn Thị Lan"


def test_site_setting_accepts_confident_suggestions(campaign):
    settings = ModerationSettings.for_site(Site.objects.get(is_default_site=True))
    settings.auto_accept = True
    settings.auto_accept_threshold = 0.6
    settings.save()
    confident = make_comment(campaign, "Hồ sơ trả đúng hẹn, cán bộ một cửa tận tình, lệ phí đúng.")
    unsure = make_comment(campaign, "Hướng dẫn khá ổn.")
    confident.refresh_from_db()
    unsure.refresh_from_db()
    assert confident.state == "relevant" and confident.decided_by is None
    assert unsure.state == "pending"
    entry = history(confident).get()
    assert entry.action == "wagtail_satisfaction.comment.auto_sort"
    assert entry.user is None
    assert entry.data["from"] == "pending" and entry.data["to"] == "relevant"


def test_a_failing_classifier_never_loses_the_comment(campaign, settings):
    settings.WAGTAIL_SATISFACTION_COMMENT_CLASSIFIER = {"CLASS": "no.such.Classifier"}
    comment = make_comment(campaign, "Hồ sơ nhanh")
    comment.refresh_from_db()
    assert comment.state == "pending" and comment.score is None


def test_decision_is_recorded_with_who_when_and_from_to(campaign):
    moderator = make_moderator()
    first = make_comment(campaign, "Hồ sơ nhanh")
    second = make_comment(campaign, "Xem bóng đá tại http://x.xyz")
    changed = decide([first.pk, second.pk], "spam", moderator, reason="quảng cáo")
    assert changed == 2
    first.refresh_from_db()
    assert (first.state, first.decided_by, first.reason) == ("spam", moderator, "quảng cáo")
    assert first.decided_at is not None
    entry = history(first).get()
    assert entry.user == moderator
    assert entry.data == {"from": "pending", "to": "spam", "reason": "quảng cáo",
                          # what undo brings back
                          "previous": {"decided_by": None, "decided_at": None, "reason": ""}}
    with translation.override("en"):
        assert entry.message == "Marked Spam (was Pending)"
    # The history label never holds the visitor's words (they may hold personal data).
    assert str(first.pk) in entry.label
    assert "Hồ sơ" not in entry.label
    # Both entries of one bulk action share one uuid.
    assert len(set(ModelLogEntry.objects.values_list("uuid", flat=True))) == 1


def test_deciding_again_records_the_change(campaign):
    moderator = make_moderator()
    comment = make_comment(campaign, "Hồ sơ nhanh")
    decide([comment.pk], "off_topic", moderator)
    decide([comment.pk], "relevant", moderator)
    assert decide([comment.pk], "relevant", moderator) == 0  # nothing changes, nothing logged
    entries = list(history(comment))
    assert [(e.data["from"], e.data["to"]) for e in entries] == [
        ("off_topic", "relevant"), ("pending", "off_topic")]


def test_only_moderators_decide_and_only_to_a_real_state(campaign):
    comment = make_comment(campaign, "Hồ sơ nhanh")
    with pytest.raises(PermissionDenied):
        decide([comment.pk], "relevant", make_user("editor"))
    with pytest.raises(ValidationError):
        decide([comment.pk], "deleted", make_moderator())
    comment.refresh_from_db()
    assert comment.state == "pending"


def test_visitor_words_cannot_be_changed(campaign):
    comment = make_comment(campaign, "Hồ sơ nhanh")
    comment = Comment.objects.get(pk=comment.pk)
    comment.text = "Sửa lời người dân"
    with pytest.raises(CommentIsFinal):
        comment.save()
    with pytest.raises(CommentIsFinal):
        comment.save(update_fields=["text"])
    with pytest.raises(CommentIsFinal):
        Comment.objects.filter(pk=comment.pk).update(text="Sửa")
    with pytest.raises(CommentIsFinal):
        Comment.objects.filter(pk=comment.pk).update(text_folded="sua")
    with pytest.raises(CommentIsFinal):
        Comment(pk=comment.pk, response=comment.response, campaign=campaign,
                submitted_at=comment.submitted_at, text="Thay thế").save()
    assert Comment.objects.get(pk=comment.pk).text == "Hồ sơ nhanh"


def test_a_just_created_comment_is_final_too(campaign):
    comment = make_comment(campaign, "Hồ sơ nhanh")
    comment.state = "relevant"
    comment.save()  # moderation fields may change
    comment.text = "Sửa"
    with pytest.raises(CommentIsFinal):
        comment.save()


def test_ratings_cannot_be_changed(campaign):
    comment = make_comment(campaign, "Hồ sơ nhanh")
    answer = comment.response.answers.first()
    answer.value = 1
    with pytest.raises(CommentIsFinal):
        answer.save()


def test_only_relevant_comments_count_downstream_while_all_ratings_count(campaign):
    moderator = make_moderator()
    kept = make_comment(campaign, "Hồ sơ nhanh")
    spam = make_comment(campaign, "Vay tiền nhanh, liên hệ ngay")
    make_comment(campaign, "Chào mọi người")
    decide([kept.pk], "relevant", moderator)
    decide([spam.pk], "spam", moderator)
    assert list(Comment.objects.relevant()) == [kept]
    assert list(Comment.objects.set_aside()) == [spam]
    assert Comment.objects.pending().count() == 1
    assert campaign.responses.count() == 3  # every response's ratings still count


def test_accent_insensitive_search(campaign):
    found = make_comment(campaign, "Thủ tục ĐĂNG KÝ khai sinh nhanh")
    make_comment(campaign, "Đường ngập nước")
    assert list(Comment.objects.search("dang ky")) == [found]
    assert list(Comment.objects.search("Đăng Ký khai")) == [found]
    assert Comment.objects.search("").count() == 2


def test_comments_typed_with_and_without_diacritics_are_stored_with_same_score(campaign):
    make_procedure(campaign.unit, name="Cấp giấy phép xây dựng")
    make_officer(campaign.unit, name="Trần Văn Hùng")
    pairs = [
        ("Giấy phép xây dựng trả trễ hẹn, anh Trần Văn Hùng không giải thích.",
         "giay phep xay dung tra tre hen, anh tran van hung khong giai thich."),
        ("Xem bóng đá trực tiếp tại http://bongda.xyz",
         "xem bong da truc tiep tai http://bongda.xyz"),
    ]
    for accented, plain in pairs:
        a, b = make_comment(campaign, accented), make_comment(campaign, plain)
        a.refresh_from_db()
        b.refresh_from_db()
        assert (a.score, a.suggested_state) == (b.score, b.suggested_state)
        # The deciding words are shown as each visitor wrote them: the same words.
        assert [(fold(m["term"]), m["kind"], m["weight"]) for m in a.matched_terms] == \
            [(fold(m["term"]), m["kind"], m["weight"]) for m in b.matched_terms]
        assert a.text_folded == b.text_folded


def test_sort_comments_command_rescores_pending_comments(campaign, settings):
    from django.core.management import call_command

    comment = make_comment(campaign, "phuc tra ket qua danh gia")
    before = Comment.objects.get(pk=comment.pk).score
    settings.WAGTAIL_SATISFACTION_COMMENT_CLASSIFIER = {
        "CLASS": "wagtail_satisfaction.moderation.classifiers.LexiconClassifier",
        "OPTIONS": {"EXTRA_TERMS": {"phúc tra": 2.0}}}
    call_command("sort_comments", stdout=io.StringIO())
    comment.refresh_from_db()
    assert comment.score > before
    assert comment.state == "pending"
    assert "phúc tra" in [m["term"] for m in comment.matched_terms]


def test_decisions_appear_in_wagtail_site_history(client, campaign):
    from django.urls import reverse

    moderator = make_moderator()
    comment = make_comment(campaign, "Hồ sơ nhanh")
    decide([comment.pk], "relevant", moderator)
    client.force_login(make_user("admin", is_superuser=True))
    page = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert f"#{comment.pk}" in page
    assert "Hồ sơ nhanh" not in page
