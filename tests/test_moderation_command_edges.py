"""``manage.py sort_comments`` at its edges: a wrong file, campaign or classifier is refused with
a message saying what to fix; rescoring keeps to the chosen campaign, in batches, and never
changes a comment's state."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_campaign
from tests.moderation_factories import make_comment
from wagtail_satisfaction.models import Comment

pytestmark = pytest.mark.django_db

LEXICON = {"CLASS": "wagtail_satisfaction.moderation.classifiers.LexiconClassifier",
           "OPTIONS": {"EXTRA_TERMS": {"phúc tra": 2.0}}}


def test_evaluate_refuses_a_file_without_labelled_comments(tmp_path):
    path = tmp_path / "empty.tsv"
    path.write_text("label\ttext\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"empty\.tsv holds no labelled comments\."):
        call_command("sort_comments", evaluate=str(path), stdout=io.StringIO())


def test_evaluate_in_a_campaigns_context_or_refuses_an_unknown_campaign(tmp_path):
    path = tmp_path / "labelled.tsv"
    path.write_text("label\ttext\nspam\tVay tiền nhanh không thế chấp, gọi 0987 654 321\n",
                    encoding="utf-8")
    with pytest.raises(CommandError, match="No campaign with id 987654."):
        call_command("sort_comments", evaluate=str(path), campaign=987654,
                     stdout=io.StringIO())
    out = io.StringIO()
    call_command("sort_comments", evaluate=str(path), campaign=make_campaign().pk, stdout=out)
    assert out.getvalue().startswith("1 comments, accuracy ")


@pytest.mark.parametrize("action", [{"retrain": True}, {"rollback": True}])
def test_retrain_and_rollback_need_a_learning_classifier(settings, action):
    settings.WAGTAIL_SATISFACTION_COMMENT_CLASSIFIER = LEXICON
    with pytest.raises(CommandError, match="does not learn; --retrain and --rollback need "
                                           "LearnedClassifier"):
        call_command("sort_comments", stdout=io.StringIO(), **action)


def test_rescoring_keeps_to_the_campaign_in_batches_and_leaves_states_alone(settings):
    ours, other = make_campaign(), make_campaign()
    mine = [make_comment(ours, f"phuc tra ket qua lan {n}") for n in range(3)]
    theirs = make_comment(other, "phuc tra ket qua")
    Comment.objects.filter(pk=mine[2].pk).update(state="relevant")  # decided by a person
    before = {c.pk: (c.score, c.matched_terms) for c in Comment.objects.all()}
    settings.WAGTAIL_SATISFACTION_COMMENT_CLASSIFIER = LEXICON
    out = io.StringIO()
    call_command("sort_comments", campaign=ours.pk, batch_size=1, stdout=out)
    assert "2 comments scored." in out.getvalue()  # the pending ones only
    after = {c.pk: c for c in Comment.objects.all()}

    def rescored(pk):
        return "phúc tra" in [m["term"] for m in after[pk].matched_terms or []]

    assert [rescored(c.pk) for c in mine] == [True, True, False]
    # Another campaign's comment: untouched.
    assert (after[theirs.pk].score, after[theirs.pk].matched_terms) == before[theirs.pk]
    out = io.StringIO()
    call_command("sort_comments", campaign=ours.pk, all=True, stdout=out)
    assert "3 comments scored." in out.getvalue()
    decided = Comment.objects.get(pk=mine[2].pk)
    assert decided.state == "relevant"  # a person's decision stays
    assert "phúc tra" in [m["term"] for m in decided.matched_terms]
