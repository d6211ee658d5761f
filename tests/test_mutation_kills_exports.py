"""The exports (reports/exports.py) at the edges mutation testing found unpinned
(scripts/mutation.sh, issue 10): every text cell of the responses file made safe for a
spreadsheet, personal data only in a personal export, file names of open-ended periods."""

import csv
import datetime
import io

import pytest
from django.utils import translation

from tests.factories import full_answers, make_campaign, make_officer, make_procedure, make_unit
from wagtail_satisfaction.models import Sector
from wagtail_satisfaction.reports.exports import ExportRequest, filter_parts
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.services import submit_response

pytestmark = pytest.mark.django_db


def csv_table(campaign, kind="responses", personal=False):
    stream = io.BytesIO()
    with translation.override("en"):
        ExportRequest({"campaign": campaign.pk}, "csv", kind, personal=personal).write(stream)
    return list(csv.DictReader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))


@pytest.fixture
def risky(settings):
    """One response whose every typed or named text starts with a character a spreadsheet
    would run as a formula."""
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1
    campaign = make_campaign()
    unit = make_unit("=Phòng Một", parent=campaign.unit, code="phong-mot")
    sector = Sector.objects.create(name="@Đất đai")
    procedure = make_procedure(unit, name="-Cấp phép", code="+P1", sector=sector)
    officer = make_officer(unit, name="=Lê Văn Cán")
    submit_response(campaign, answers=full_answers(campaign), unit=unit, procedure=procedure,
                    officer=officer, email="dan@example.vn",
                    comment="+Gọi 0901234567 hoặc dan@example.vn")
    return campaign


def test_every_text_cell_of_the_responses_csv_is_safe_in_a_spreadsheet(risky):
    [row] = csv_table(risky)
    risky_cells = sorted(value for value in row.values()
                         if value.lstrip("'")[:1] in ("=", "+", "-", "@"))
    assert risky_cells == sorted([
        "'=Phòng Một", "'+P1", "'-Cấp phép", "'@Đất đai", "'=Lê Văn Cán",
        "'+Gọi ••••••••67 hoặc d•••@example.vn"])
    assert "dan@example.vn" not in " ".join(row.values())  # no email column, masked comment


def test_a_personal_export_carries_the_email_and_the_comment_as_typed(risky):
    [row] = csv_table(risky, personal=True)
    assert "dan@example.vn" in row.values()
    assert "'+Gọi 0901234567 hoặc dan@example.vn" in row.values()


def test_an_open_ended_period_is_in_the_file_name_at_its_one_end(db):
    campaign = make_campaign()
    start, end = datetime.date(2025, 11, 1), datetime.date(2025, 12, 31)
    assert filter_parts(ReportFilters(campaign=campaign, start=start)) == ["20251101_"]
    assert filter_parts(ReportFilters(campaign=campaign, end=end)) == ["_20251231"]
    assert filter_parts(ReportFilters(campaign=campaign)) == []


def test_the_csv_leaves_personal_data_out_unless_asked(risky):
    """``iter_csv``, the csv a response streams, is not personal unless its caller says so."""
    from wagtail_satisfaction.reports.exports import iter_csv

    text = b"".join(iter_csv(ReportFilters(campaign=risky))).decode("utf-8-sig")
    assert "dan@example.vn" not in text and "0901234567" not in text
    personal = b"".join(iter_csv(ReportFilters(campaign=risky), personal=True)).decode()
    assert "dan@example.vn" in personal


@pytest.fixture
def hand(settings):
    from tests.reports_factories import build_hand_dataset

    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1
    return build_hand_dataset()


def test_the_comments_csv_gives_each_comments_response_and_local_time(hand):
    """r1 at 10:00 and r5 at 08:00, Asia/Ho_Chi_Minh (03:00 and 01:00 UTC): each relevant
    comment with the id of its response, so the two files can be matched."""
    rows = csv_table(hand["campaign"], kind="comments")
    r1, r5 = hand["responses"][0], hand["responses"][4]
    cells = [set(row.values()) for row in rows]
    assert len(cells) == 2
    assert {str(r1.uid), "2025-09-15 10:00:00"} <= cells[0]
    assert {str(r5.uid), "2025-11-28 08:00:00"} <= cells[1]


def test_a_unit_scoped_users_export_holds_only_their_units(hand):
    from tests.factories import make_user
    from wagtail_satisfaction.models import UnitScope

    user = make_user("thu_ky_phong_b")
    UnitScope.objects.create(user=user, unit=hand["unit_b"])
    export = ExportRequest({"campaign": hand["campaign"].pk}, "csv", user=user)
    assert export.count() == 1  # r3, the one response of Phòng B
    assert ExportRequest({"campaign": hand["campaign"].pk}, "csv").count() == 5


def test_an_export_of_invalid_filters_or_of_no_such_table_is_refused_with_the_reason(hand):
    from wagtail_satisfaction.reports.exports import InvalidFilters, UnknownExport

    campaign = hand["campaign"].pk
    with translation.override("en"), pytest.raises(InvalidFilters) as invalid:
        ExportRequest({"campaign": campaign, "period": "quarter", "year": 2025})
    assert "Choose which quarter (1–4)." in str(invalid.value)
    for wrong in (("pdf", "responses"), ("csv", "answers")):
        with pytest.raises(UnknownExport) as unknown:
            ExportRequest({"campaign": campaign}, *wrong)
        assert str(unknown.value) == " ".join(wrong)


def test_a_response_stored_before_response_ids_has_an_empty_id_in_both_files(hand):
    from wagtail_satisfaction.models import Response

    r1 = hand["responses"][0]
    Response.objects.filter(pk=r1.pk).update(uid=None)  # stored before ids existed
    comments = csv_table(hand["campaign"], kind="comments")
    responses = csv_table(hand["campaign"])
    id_column = next(iter(comments[0]))  # the first column of both files: the response id
    assert [row[id_column] for row in comments] == ["", str(hand["responses"][4].uid)]
    assert sorted(row[id_column] for row in responses) == sorted(
        ["", *(str(r.uid) for r in hand["responses"][1:])])


def test_the_comments_csv_names_each_comments_unit(hand):
    """The unit a comment is about is in its row of the comments csv (not an empty cell)."""
    rows = csv_table(hand["campaign"], kind="comments")
    r1, r5 = hand["responses"][0], hand["responses"][4]
    assert r1.unit.name in rows[0].values() and r5.unit.name in rows[1].values()


def test_the_responses_csv_names_the_channel_and_a_not_applicable_answer_in_words(db):
    """Besides their keys, the responses csv gives the channel's name and the words of a
    "not applicable" answer, as the report shows them."""
    from wagtail_satisfaction.models import Channel

    campaign = make_campaign()
    answers = full_answers(campaign)
    skipped = next(question for question in answers if question.spec.allows_not_applicable)
    answers[skipped] = None
    submit_response(campaign, answers=answers, channel=Channel.KIOSK)
    [row] = csv_table(campaign)
    assert "Kiosk at the counter" in row.values()
    assert "Not applicable / no answer" in row.values()


def test_the_comments_csv_gives_report_time_even_where_the_server_runs_on_utc(hand, settings):
    """A site whose server time zone (TIME_ZONE) is UTC and whose reports are in Vietnam's
    time: the comments' times are Vietnam's, as in the responses file."""
    settings.TIME_ZONE = "UTC"
    settings.WAGTAIL_SATISFACTION_REPORT_TIME_ZONE = "Asia/Ho_Chi_Minh"
    rows = csv_table(hand["campaign"], kind="comments")
    assert "2025-09-15 10:00:00" in rows[0].values()
    assert "2025-11-28 08:00:00" in rows[1].values()
