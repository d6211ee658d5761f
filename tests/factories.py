"""Small helpers that build the objects tests need, with believable defaults."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from wagtail_satisfaction.models import (
    Campaign,
    Officer,
    Procedure,
    Questionnaire,
    Sector,
    Unit,
)
from wagtail_satisfaction.standard_questionnaires import (
    SIPAS_CODE,
    TTHC_CODE,
    install_standard_questionnaires,
)

_seq = itertools.count(1)


def make_unit(name=None, parent=None, **kwargs):
    n = next(_seq)
    return Unit.objects.create(name=name or f"Phòng {n}", code=kwargs.pop("code", f"unit-{n}"),
                               parent=parent, **kwargs)


def make_procedure(unit, name=None, sector=None, **kwargs):
    n = next(_seq)
    sector = sector or Sector.objects.get_or_create(name="Hộ tịch")[0]
    return Procedure.objects.create(code=kwargs.pop("code", f"TTHC-{n}"),
                                    name=name or f"Thủ tục số {n}", sector=sector, unit=unit,
                                    **kwargs)


def make_officer(unit, name=None, **kwargs):
    return Officer.objects.create(name=name or f"Nguyễn Văn {next(_seq)}", title="Chuyên viên",
                                  unit=unit, **kwargs)


def sipas():
    # Transactional tests flush the tables the data migration filled: install again.
    install_standard_questionnaires()
    return Questionnaire.objects.get(code=SIPAS_CODE, version=1)


def tthc():
    install_standard_questionnaires()
    return Questionnaire.objects.get(code=TTHC_CODE, version=1)


def make_campaign(unit=None, questionnaire=None, opens_on=None, closes_on=None, **kwargs):
    unit = unit or make_unit("Sở Khoa học và Công nghệ", kind="department")
    today = datetime.date.today()
    n = next(_seq)
    return Campaign.objects.create(
        title=kwargs.pop("title", f"Khảo sát {n}"), slug=kwargs.pop("slug", f"khao-sat-{n}"),
        unit=unit, questionnaire=questionnaire or sipas(),
        opens_on=opens_on or today - datetime.timedelta(days=30),
        closes_on=closes_on or today + datetime.timedelta(days=30), **kwargs,
    )


def full_answers(campaign, value=4):
    """{question: value} answering every question with a valid value."""
    answers = {}
    for question in campaign.questionnaire.questions():
        values = sorted(question.spec.values)
        answers[question] = value if value in values else values[-1]
    return answers


def form_data(campaign, value="4", **extra):
    """POST data answering every question of the campaign's questionnaire."""
    data = {}
    for question in campaign.questionnaire.questions():
        values = sorted(question.spec.values)
        if value == "na":
            fits = question.spec.allows_not_applicable
        else:
            fits = int(value) in values
        data[f"q_{question.pk}"] = value if fits else str(values[-1])
    data.update(extra)
    return data


def make_user(username, *groups, **kwargs):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username,
                                                email=f"{username}@example.org", **kwargs)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def refusal(response):
    """How the admin refused a signed-in user without the permission: "dashboard" (Wagtail's
    redirect to the admin home, where it shows "Sorry, you do not have permission…") or
    "forbidden" (403). Anything else, such as a redirect elsewhere, fails the test."""
    from django.urls import reverse

    if response.status_code == 403:
        return "forbidden"
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("wagtailadmin_home"), response["Location"]
    return "dashboard"
