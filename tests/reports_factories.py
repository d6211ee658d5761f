"""Helpers for the report tests: a small questionnaire and responses at chosen local times."""

import datetime
from zoneinfo import ZoneInfo

from wagtail_satisfaction.models import Factor, Question, Questionnaire
from wagtail_satisfaction.services import submit_response

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def make_small_questionnaire(code="nho"):
    """Two index factors (Q1, Q2 | Q3) and two expectations (E1, E2), easy to count by hand."""
    questionnaire = Questionnaire.objects.create(name="Phiếu nhỏ", code=code, kind="custom")
    f1 = Factor.objects.create(questionnaire=questionnaire, sort_order=0, code="F1",
                               title="Tiếp cận")
    f2 = Factor.objects.create(questionnaire=questionnaire, sort_order=1, code="F2",
                               title="Kết quả")
    expectations = Factor.objects.create(questionnaire=questionnaire, sort_order=2, code="E",
                                         title="Mong đợi", counts_in_index=False)
    Question.objects.create(factor=f1, sort_order=0, code="1", text="Thông tin dễ hiểu")
    Question.objects.create(factor=f1, sort_order=1, code="2", text="Trụ sở sạch sẽ")
    Question.objects.create(factor=f2, sort_order=0, code="3", text="Trả kết quả đúng hẹn")
    for n, text in ((1, "Thái độ phục vụ"), (2, "Chuyển đổi số")):
        Question.objects.create(factor=expectations, sort_order=n, code=f"E{n}", text=text,
                                scale="expectation3", required=False)
    return questionnaire


def local(year, month, day, hour=9, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=VN)


def respond(campaign, at, values, **kwargs):
    """Store a response through submit_response; ``values`` maps question code → value
    ("na" = not applicable; codes left out are not answered)."""
    questions = {q.code: q for q in campaign.questionnaire.questions()}
    answers = {questions[code]: (None if value == "na" else value)
               for code, value in values.items()}
    return submit_response(campaign, answers=answers, submitted_at=at, check_open=False,
                           **kwargs)


def build_hand_dataset():
    """The dataset the figure tests count by hand (see tests/test_reports_figures.py).

    Units: Sở (root) ⊃ Phòng A ⊃ Bộ phận A1, and Phòng B. Five responses:

    ====  =================  =====  =======  =======  =====  ==  ==  ==  ==  ==
    resp  local time          unit   officer  proc.    chan.  Q1  Q2  Q3  E1  E2
    ====  =================  =====  =======  =======  =====  ==  ==  ==  ==  ==
    r1    15/09/2025 10:00   A      An       pA       web    5   4   3   3   1
    r2    01/10/2025 00:30   A1     An       pA       paper  4   na  2   2   2
    r3    20/10/2025 09:00   B      Bình     pB       kiosk  2   5   na  3   3
    r4    05/11/2025 14:00   Sở     –        –        web    na  na  na  1   2
    r5    28/11/2025 08:00   A      An       pA       web    1   4   5   3   –
    ====  =================  =====  =======  =======  =====  ==  ==  ==  ==  ==
    """
    from tests.factories import make_campaign, make_officer, make_procedure, make_unit
    from wagtail_satisfaction.models import Comment, DossierCount, Sector

    root = make_unit("Sở Khoa học và Công nghệ", code="so-khcn", kind="department")
    unit_a = make_unit("Phòng A", parent=root, code="phong-a")
    unit_a1 = make_unit("Bộ phận A1", parent=unit_a, code="bo-phan-a1")
    unit_b = make_unit("Phòng B", parent=root, code="phong-b")
    land = Sector.objects.get_or_create(name="Đất đai")[0]
    proc_a = make_procedure(unit_a, name="Cấp giấy phép A", code="PA", sector=land)
    proc_b = make_procedure(unit_b, name="Cấp giấy phép B", code="PB")
    an = make_officer(unit_a, name="Nguyễn Văn An")
    binh = make_officer(unit_b, name="Trần Thị Bình")
    campaign = make_campaign(unit=root, questionnaire=make_small_questionnaire(),
                             title="Khảo sát 2025", slug="khao-sat-2025",
                             opens_on=datetime.date(2025, 9, 1),
                             closes_on=datetime.date(2025, 11, 30), target_responses=3)
    r1 = respond(campaign, local(2025, 9, 15, 10), {"1": 5, "2": 4, "3": 3, "E1": 3, "E2": 1},
                 unit=unit_a, officer=an, procedure=proc_a, channel="website",
                 comment="Cán bộ rất nhiệt tình")
    r2 = respond(campaign, local(2025, 10, 1, 0, 30),
                 {"1": 4, "2": "na", "3": 2, "E1": 2, "E2": 2},
                 unit=unit_a1, officer=an, procedure=proc_a, channel="paper")
    r3 = respond(campaign, local(2025, 10, 20), {"1": 2, "2": 5, "3": "na", "E1": 3, "E2": 3},
                 unit=unit_b, officer=binh, procedure=proc_b, channel="kiosk",
                 comment="<script>alert(1)</script> quảng cáo")
    r4 = respond(campaign, local(2025, 11, 5, 14),
                 {"1": "na", "2": "na", "3": "na", "E1": 1, "E2": 2}, unit=root,
                 channel="website")
    r5 = respond(campaign, local(2025, 11, 28, 8), {"1": 1, "2": 4, "3": 5, "E1": 3},
                 unit=unit_a, officer=an, procedure=proc_a, channel="website",
                 comment="=HYPERLINK(\"http://x\") thủ tục chậm")
    Comment.objects.filter(response__in=[r1, r5]).update(state="relevant")
    Comment.objects.filter(response=r3).update(state="spam")
    for unit in (unit_a, unit_b):
        DossierCount.objects.create(unit=unit, starts_on=datetime.date(2025, 9, 1),
                                    ends_on=datetime.date(2025, 11, 30), dossiers=10,
                                    forms_handed_out=4)
    return {"campaign": campaign, "root": root, "unit_a": unit_a, "unit_a1": unit_a1,
            "unit_b": unit_b, "proc_a": proc_a, "proc_b": proc_b, "an": an, "binh": binh,
            "responses": [r1, r2, r3, r4, r5]}
