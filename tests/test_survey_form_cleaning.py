"""The survey form's shortcut through its question fields cleans exactly as Django does.

``SurveyForm._clean_fields`` takes a question's valid choice as it is, without the bound
field Django makes for it; anything else goes through Django's own cleaning. Whatever a
visitor sends, the cleaned values, the errors (their text and order) and what the form shows
again must be those of Django's field-by-field cleaning.
"""

import pytest
from django import forms
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import make_campaign
from wagtail_satisfaction.forms import SurveyForm, question_field_name
from wagtail_satisfaction.scales import NOT_APPLICABLE


class DjangoCleanedSurveyForm(SurveyForm):
    """The same form cleaned by Django's ``BaseForm._clean_fields`` only."""

    def _clean_fields(self):
        forms.BaseForm._clean_fields(self)


def outcome(form):
    valid = form.is_valid()
    return (valid, list(form.cleaned_data.items()),
            [(name, list(errors)) for name, errors in form.errors.items()],
            form.answers() if valid else None)


def as_post(data):
    post = QueryDict(mutable=True)
    for name, values in data.items():
        post.setlist(name, values)
    return post


VALUES = st.sampled_from(["", " ", "0", "1", "2", "3", "4", "5", "6", "-1", "4.0", " 4",
                          NOT_APPLICABLE, "na", "٣", "x"])


class TestCleaningAsDjango(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.campaign = make_campaign(ask_procedure=False, ask_officer=False,
                                     ask_dossier_code=False, email_policy="optional")
        cls.names = [question_field_name(q)
                     for q in cls.campaign.questionnaire.question_list()]

    @given(st.data())
    def test_any_post_is_cleaned_as_django_cleans_it(self, data):
        post = {}
        for name in self.names:
            # Missing, one value, or several values (the last counts) per question.
            values = data.draw(st.lists(VALUES, max_size=3))
            if values:
                post[name] = values
        post["email"] = [data.draw(st.sampled_from(["", "an@example.vn", "khong-hop-le"]))]
        post["comment"] = [data.draw(st.sampled_from(["", "Tốt.", "x" * 4001]))]
        ours = SurveyForm(as_post(post), campaign=self.campaign)
        django = DjangoCleanedSurveyForm(as_post(post), campaign=self.campaign)
        assert outcome(ours) == outcome(django)
        # Shown again after a refusal: the same page, every value as sent.
        assert ours.as_div() == django.as_div()

    def test_a_plain_dict_with_a_list_is_refused_as_django_refuses_it(self):
        post = {name: "4" for name in self.names}
        post[self.names[0]] = ["4", "5"]  # not a string: the usual cleaning decides
        ours = SurveyForm(post, campaign=self.campaign)
        django = DjangoCleanedSurveyForm(post, campaign=self.campaign)
        assert outcome(ours) == outcome(django)
        assert not ours.is_valid() and self.names[0] in ours.errors


@pytest.mark.django_db
def test_a_changed_choice_list_is_taken_into_account(campaign):
    """A field whose choices change (a form replacing them) is not checked against the old."""
    from wagtail_satisfaction.forms import plain_choices

    (_question, field), *_rest = campaign.questionnaire.question_fields()
    before = plain_choices(field)
    field = forms.ChoiceField(choices=[("7", "Bảy")], widget=forms.RadioSelect)
    assert plain_choices(field) == {"7"} != before
    field.choices = [("8", "Tám")]
    assert plain_choices(field) == {"8"}
    assert plain_choices(forms.ChoiceField(choices=[("1", "Một")], disabled=True)) is None
    assert plain_choices(forms.TypedChoiceField(choices=[("1", "Một")], coerce=int)) is None
