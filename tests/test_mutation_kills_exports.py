"""The exports (reports/exports.py) at the edges mutation testing found unpinned
(scripts/mutation.sh, issue 10): every text cell of the responses file made safe for a
spreadsheet, personal data only in a personal export, file names of open-ended periods and
their day; the workbook's sheets, targets and charts; downloads, background exports and
their progress."""

import csv
import datetime
import io

import pytest
from django.utils import translation

from tests.factories import (
    full_answers,
    make_campaign,
    make_officer,
    make_procedure,
    make_unit,
    make_user,
)
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


# --- The workbook's targets sheet and charts ----------------------------------------------

def workbook_of(filters, personal=False):
    from openpyxl import load_workbook

    from wagtail_satisfaction.reports.exports import write_xlsx

    stream = io.BytesIO()
    with translation.override("en"):
        write_xlsx(stream, filters, personal=personal)
    return load_workbook(io.BytesIO(stream.getvalue())), stream.getvalue()


TARGET_HEADERS = ["Unit", "Round", "Responses", "Target responses", "Dossiers",
                  "% of dossiers", "Target % of dossiers", "Forms handed out",
                  "% of forms returned", "Target % returned", "Status", "Not yet met"]


def test_the_targets_sheet_is_headed_and_follows_the_filters(hand):
    """The campaign asks for 3 responses per unit. Filtered on Phòng A in November, the
    sheet has Phòng A and Bộ phận A1 for November only: r5 for Phòng A, none for A1."""
    from wagtail_satisfaction.models import Round

    workbook, _ = workbook_of(ReportFilters(campaign=hand["campaign"]))
    rows = [list(row) for row in workbook["Targets"].iter_rows(values_only=True)]
    assert rows[0] == TARGET_HEADERS
    # Dossiers 10 and forms 4 for each Phòng, for the whole campaign; shares as percentages.
    assert rows[1:] == [
        ["Sở Khoa học và Công nghệ", "Whole campaign", 5, 3, 20, 0.25, None, 8, 0.625, None,
         "met", None],
        ["Phòng A", "Whole campaign", 3, 3, 10, 0.3, None, 4, 0.75, None, "met", None],
        ["Phòng B", "Whole campaign", 1, 3, 10, 0.1, None, 4, 0.25, None, "not yet",
         "Responses: 2 more needed (1 of 3)"]]
    targets = workbook["Targets"]
    assert targets["F2"].number_format == "0.00%"
    # The unit and what is not yet met are wide, wrapped text columns; the others narrow.
    widths = {col: targets.column_dimensions[col].width for col in "ABL"}
    assert widths["A"] > 40 and widths["L"] > 40 and widths["B"] < 20
    assert targets["L4"].alignment.wrap_text
    campaign = hand["campaign"]
    campaign.target_dossier_share, campaign.target_return_rate = 30, 50
    campaign.save()
    november = Round.objects.create(campaign=hand["campaign"], name="Đợt tháng 11",
                                    starts_on=datetime.date(2025, 11, 1),
                                    ends_on=datetime.date(2025, 11, 30))
    workbook, _ = workbook_of(ReportFilters(
        campaign=hand["campaign"], unit=hand["unit_a"], round=november,
        start=november.starts_on, end=november.ends_on))
    rows = [list(row) for row in workbook["Targets"].iter_rows(values_only=True)]
    # No dossier count lies wholly inside November: no share, against targets of 30% and 50%.
    no_count = ("Share of dossiers: no dossier count entered for this unit and period "
                "(target 30.00%); Share of forms returned: no dossier count entered for this "
                "unit and period (target 50.00%)")
    assert rows[1:] == [
        ["Phòng A", "Đợt tháng 11", 1, 3, None, None, 0.3, None, None, 0.5, "not yet",
         "Responses: 2 more needed (1 of 3); " + no_count],
        ["Bộ phận A1", "Đợt tháng 11", 0, 3, None, None, 0.3, None, None, 0.5, "not yet",
         "Responses: 3 more needed (0 of 3); " + no_count]]


def test_a_campaign_without_targets_has_no_targets_sheet(hand):
    campaign = hand["campaign"]
    campaign.target_responses = None
    campaign.save()
    workbook, _ = workbook_of(ReportFilters(campaign=campaign))
    assert "Targets" not in workbook.sheetnames
    assert "Summary" in workbook.sheetnames


def test_the_workbook_draws_the_questions_bars_and_the_monthly_trend_line(hand):
    """Beside the questions table a bar chart of % satisfied, beside the trend a line."""
    import zipfile

    _, content = workbook_of(ReportFilters(campaign=hand["campaign"]))
    archive = zipfile.ZipFile(io.BytesIO(content))
    charts = sorted(name for name in archive.namelist() if name.startswith("xl/charts/"))
    kinds = sorted(kind for name in charts for kind in ("barChart", "lineChart")
                   if f"<c:{kind}>" in archive.read(name).decode())
    assert kinds == ["barChart", "lineChart"]


def test_a_personal_workbook_carries_the_email_and_an_ordinary_one_does_not(risky):
    """The xlsx path of ExportRequest passes ``personal`` on, as the csv path does."""
    from openpyxl import load_workbook

    def cells(personal):
        stream = io.BytesIO()
        with translation.override("en"):
            ExportRequest({"campaign": risky.pk}, "xlsx", personal=personal).write(stream)
        book = load_workbook(io.BytesIO(stream.getvalue()))
        return {cell for row in book["Responses"].iter_rows(values_only=True) for cell in row}

    assert "dan@example.vn" in cells(personal=True)
    assert "dan@example.vn" not in cells(personal=False)


# --- File names: the day in the report's zone, Vietnamese letters folded ------------------

def test_the_file_name_gives_the_day_in_vietnam_and_folds_the_letter_d(hand, settings,
                                                                      monkeypatch):
    """At 00:30 on 1 January 2026 in Vietnam (17:30 UTC the day before), on a server whose
    own zone is UTC, the file is dated 20260101; the field "Đất đai" reads "dat-dai"."""
    from django.utils import timezone

    from wagtail_satisfaction.models import Sector

    settings.TIME_ZONE = "UTC"
    settings.WAGTAIL_SATISFACTION_REPORT_TIME_ZONE = "Asia/Ho_Chi_Minh"
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(
        2025, 12, 31, 17, 30, tzinfo=datetime.UTC))
    land = Sector.objects.get(name="Đất đai")
    export = ExportRequest({"campaign": hand["campaign"].pk, "sector": land.pk}, "xlsx")
    assert export.filename == "khao-sat-2025-dat-dai-20260101.xlsx"
    export = ExportRequest({"campaign": hand["campaign"].pk}, "csv", "comments")
    assert export.filename == "khao-sat-2025-comments-20260101.csv"


# --- Downloads, background exports and their progress -------------------------------------

def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def scoped(db, settings, tmp_path):
    """Two units with a relevant comment each holding a phone number, and a secretary of
    Phòng Một who may read personal data but only her unit's responses; exports run in the
    background from the first response on, at once (as a worker would)."""
    from tests.moderation_factories import make_comment, make_roles
    from wagtail_satisfaction.models import Comment, ModerationState, UnitScope

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path)
    settings.WAGTAIL_SATISFACTION_EXPORT_BACKGROUND_THRESHOLD = 0
    campaign = make_campaign()
    one = make_unit("Phòng Một", parent=campaign.unit, code="phong-mot")
    two = make_unit("Phòng Hai", parent=campaign.unit, code="phong-hai")
    make_comment(campaign, "Gọi lại 0901234567 giúp tôi", unit=one)
    make_comment(campaign, "Số của tôi 0987654321", unit=two)
    Comment.objects.update(state=ModerationState.RELEVANT)
    make_roles()
    user = make_user("thuky_mot", "Thư ký ISO")  # view_personal_data included
    UnitScope.objects.create(user=user, unit=one)
    return {"campaign": campaign, "user": user}


def test_a_background_comments_export_keeps_its_table_personal_data_and_scope(client, scoped):
    from django.urls import reverse

    from wagtail_satisfaction.models import ExportJob
    from wagtail_satisfaction.reports.columns import headers_of

    client.force_login(scoped["user"])
    started = client.get(reverse("wagtail_satisfaction_reports:export"), {
        "campaign": scoped["campaign"].pk, "format": "csv", "kind": "comments"})
    job = ExportJob.objects.get()
    assert started.url == reverse("wagtail_satisfaction_reports:export_job", args=[job.pk])
    assert job.status == "done"
    with job.file.open("rb") as handle:
        header, *rows = csv_rows(handle.read())
    assert header[-1] in headers_of("text")  # the comments table, not the responses
    # Her unit's comment only, with its phone number as typed (she may read it).
    assert [row[-1] for row in rows] == ["Gọi lại 0901234567 giúp tôi"]


def test_a_job_started_before_csv_had_two_tables_exports_the_responses(scoped):
    """A job whose stored filters name no table (kind) is a responses export."""
    from wagtail_satisfaction.models import ExportJob
    from wagtail_satisfaction.reports.columns import headers_of
    from wagtail_satisfaction.reports.tasks import run_export

    job = ExportJob.objects.create(user=scoped["user"], format="csv", total=1,
                                   filters={"campaign": str(scoped["campaign"].pk)})
    run_export.call(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    with job.file.open("rb") as handle:
        header, *rows = csv_rows(handle.read())
    assert header[0] in headers_of("uid") and len(rows) == 1


def test_an_export_tells_its_progress_as_it_writes(hand, monkeypatch):
    """The xlsx reports the responses written (every CHUNK and at the end); the csv the
    lines written, every PROGRESS_LINES (1 here: each line, header included). Without
    anyone to tell, the same file is written."""
    from wagtail_satisfaction.reports import exports

    def told(chunk):
        monkeypatch.setattr(exports, "CHUNK", chunk)
        seen = []
        ExportRequest({"campaign": hand["campaign"].pk}, "xlsx").write(io.BytesIO(),
                                                                      progress=seen.append)
        return seen

    assert told(2000) == [5]
    assert told(2) == [2, 4, 5]
    assert told(5) == [5]  # a whole chunk at the end is told once
    monkeypatch.setattr(exports, "PROGRESS_LINES", 1)
    export = ExportRequest({"campaign": hand["campaign"].pk}, "csv")
    told, untold, seen = io.BytesIO(), io.BytesIO(), []
    export.write(told, progress=seen.append)
    assert seen == [1, 2, 3, 4, 5, 6]
    export.write(untold)
    assert untold.getvalue() == told.getvalue() and len(csv_rows(told.getvalue())) == 6


def test_an_export_of_exactly_the_threshold_downloads_at_once_with_its_type(client, hand,
                                                                           settings):
    from django.urls import reverse

    from tests.test_reports_views import iso_secretary
    from wagtail_satisfaction.models import ExportJob
    from wagtail_satisfaction.reports.columns import headers_of

    settings.WAGTAIL_SATISFACTION_EXPORT_BACKGROUND_THRESHOLD = 5  # the five responses
    client.force_login(iso_secretary())
    url = reverse("wagtail_satisfaction_reports:export")
    xlsx = client.get(url, {"campaign": hand["campaign"].pk, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    comments = client.get(url, {"campaign": hand["campaign"].pk, "format": "csv",
                                "kind": "comments"})
    assert comments["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv_rows(b"".join(comments.streaming_content))
    assert header[-1] in headers_of("text") and len(rows) == 2  # the two relevant comments
    assert not ExportJob.objects.exists()


@pytest.mark.usefixtures("english")
def test_the_report_page_offers_each_download_by_name_and_label(client, hand):
    from django.urls import reverse
    from lxml import html as lxml_html

    from tests.test_reports_views import iso_secretary

    client.force_login(iso_secretary())
    page = client.get(reverse("wagtail_satisfaction_reports:report"),
                      {"campaign": hand["campaign"].pk}, HTTP_ACCEPT_LANGUAGE="en")
    links = {a.get("data-export"): (a.text_content().strip(), a.get("href"))
             for a in lxml_html.fromstring(page.content).xpath("//a[@data-export]")}
    assert {name: label for name, (label, _href) in links.items()} == {
        "xlsx": "Download xlsx (all tables)", "csv": "Responses as csv",
        "comments-csv": "Comments as csv"}
    assert "kind=comments" in links["comments-csv"][1] and "format=csv" in links["csv"][1]


GROUP_HEADER = ["Responses", "F1", "F2", "Overall index", "Decision 766 ratio"]


def test_every_sheet_of_the_workbook_is_titled_and_headed_for_its_reader(hand):
    """The hand dataset's workbook in English: each table's sheet, header row and frozen
    panes (the summary keeps its item column in view); the summary, questions and factors
    tables cell for cell (counted by hand in tests/reports_factories.py)."""
    workbook, _ = workbook_of(ReportFilters(campaign=hand["campaign"]))
    tables = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
              for sheet in workbook.worksheets}
    assert {title: rows[0] for title, rows in tables.items()} == {
        "Summary": ["Item", "Value"],
        "Questions": ["Code", "Question", "Factor", "N (applicable)", "Satisfied answers",
                      "% satisfied", "Mean", "Very dissatisfied", "Dissatisfied", "Neutral",
                      "Satisfied", "Very satisfied", "Not applicable / no answer", "Very much",
                      "Much", "A little"],
        "Factors": ["Code", "Factor", "Index (%)"],
        **{title: ["Group", *GROUP_HEADER] for title in (
            "By unit", "By procedure", "By field", "By officer", "By channel")},
        "Trend by month": ["Month", *GROUP_HEADER],
        "Expectations": ["Rank", "Code", "Expectation", "N", "Mean level (1–3)"],
        "Targets": TARGET_HEADERS,
        "Responses": ["uid", "submitted_at", "channel", "Channel name", "unit_code", "Unit",
                      "procedure_code", "Procedure", "Field", "officer", "dossier_code",
                      "dossier_proven", "comment", "comment_state", "Q1", "Q1 (label)", "Q2",
                      "Q2 (label)", "Q3", "Q3 (label)", "QE1", "QE1 (label)", "QE2",
                      "QE2 (label)"],
        "Comments": ["uid", "submitted_at", "Unit", "Comment"]}
    assert list(tables) == ["Summary", "Questions", "Factors", "By unit", "By procedure",
                            "By field", "By officer", "By channel", "Trend by month",
                            "Expectations", "Targets", "Responses", "Comments"]
    assert {sheet.title: sheet.freeze_panes for sheet in workbook.worksheets} == {
        title: "B2" if title == "Summary" else "A2" for title in tables}
    assert tables["Summary"][1:] == [
        ["Filters", "Khảo sát 2025"], ["Responses", 5], ["Overall index (%)", 0.5417],
        ["Decision 766 ratio (%)", 0.85], ["Dissatisfied responses", 3],
        ["Decision 766 base", 20]]
    assert workbook["Summary"]["B4"].number_format == "0.00%"
    assert workbook["Summary"].column_dimensions["A"].width > 40  # the items: wide text
    assert tables["Questions"][1:] == [
        ["1", "Thông tin dễ hiểu", "Tiếp cận", 4, 2, 0.5, 3, 1, 1, 0, 1, 1, 1, None, None, None],
        ["2", "Trụ sở sạch sẽ", "Tiếp cận", 3, 3, 1, 4.33, 0, 0, 0, 2, 1, 2, None, None, None],
        ["3", "Trả kết quả đúng hẹn", "Kết quả", 3, 1, 0.3333, 3.33, 0, 1, 1, 0, 1, 2, None,
         None, None],
        ["E1", "Thái độ phục vụ", "Mong đợi", 5, None, None, 2.4, *[None] * 6, 3, 1, 1],
        ["E2", "Chuyển đổi số", "Mong đợi", 4, None, None, 2, *[None] * 6, 1, 2, 1]]
    questions = workbook["Questions"]
    assert (questions["F2"].number_format, questions["G3"].number_format) == ("0.00%", "0.00")
    assert tables["Factors"][1:] == [["F1", "Tiếp cận", 0.75], ["F2", "Kết quả", 0.3333]]


def test_a_responses_table_left_unsaid_is_not_personal(risky):
    """Privacy by default: the responses table of a caller that does not say ``personal``
    has no email column, and its comments table masks personal data."""
    from wagtail_satisfaction.models import Comment as CommentModel
    from wagtail_satisfaction.models import ModerationState
    from wagtail_satisfaction.reports.exports import CommentResource, ResponseResource

    with translation.override("en"):
        assert "email" not in ResponseResource(risky.questionnaire).get_export_headers()
        assert "email" in ResponseResource(risky.questionnaire,
                                           personal=True).get_export_headers()
    # Nor is a comments table: the phone number and address typed in are masked.
    CommentModel.objects.update(state=ModerationState.RELEVANT)
    [row] = CommentResource().rows(ReportFilters(campaign=risky))
    assert "0901234567" not in row["text"] and "dan@example.vn" not in row["text"]


def test_the_responses_csv_names_each_answer_and_a_pooled_officer_in_words(hand, settings):
    """With a minimum group of 2, Trần Thị Bình (r3 alone) is written as the pool, as the
    report shows her, and so is Nguyễn Văn An (a pool of one would name her); r4 names no
    officer. Each answer has its words beside its value: r1's Q1 = 5 is "Very satisfied";
    an empty cell stays empty."""
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 2
    rows = {row["uid"]: row for row in csv_table(hand["campaign"])}
    r1, r3, r4 = (rows[str(hand["responses"][i].uid)] for i in (0, 2, 3))
    pool = "Other officers (fewer than 2 responses each)"
    assert (r1["officer"], r3["officer"], r4["officer"]) == (pool, pool, "")
    assert (r1["Q1"], r1["Q1 (label)"], r1["Q3"], r1["Q3 (label)"]) == (
        "5", "Very satisfied", "3", "Neutral")
    # What is not there is left empty: r5 did not answer E2, r4 names no procedure or field.
    r5 = rows[str(hand["responses"][4].uid)]
    assert (r5["QE2"], r5["QE2 (label)"], r4["Procedure"], r4["Field"]) == ("", "", "", "")


def test_a_response_that_answers_no_question_is_a_row_of_empty_answers(db):
    """Every question optional, a visitor leaves only a comment: the response is in the
    export, its answer cells empty."""
    from tests.reports_factories import make_small_questionnaire
    from wagtail_satisfaction.models import Question

    questionnaire = make_small_questionnaire()
    Question.objects.filter(factor__questionnaire=questionnaire).update(required=False)
    campaign = make_campaign(questionnaire=questionnaire)
    submit_response(campaign, answers={}, comment="Chỉ góp ý thôi")
    [row] = csv_table(campaign, personal=True)
    assert row["comment"] == "Chỉ góp ý thôi"
    assert {row[key] for key in row if key.startswith("Q")} == {""}


def test_the_responses_csv_gives_report_time_even_where_the_server_runs_on_utc(hand,
                                                                               settings):
    """r1 at 10:00 in Vietnam (03:00 UTC) on a server whose own zone is UTC."""
    settings.TIME_ZONE = "UTC"
    settings.WAGTAIL_SATISFACTION_REPORT_TIME_ZONE = "Asia/Ho_Chi_Minh"
    rows = {row["uid"]: row for row in csv_table(hand["campaign"])}
    assert rows[str(hand["responses"][0].uid)]["submitted_at"] == "2025-09-15 10:00:00"


def test_a_tthc_workbook_sums_up_the_points_and_lists_the_indicators(db):
    """TTHC (9 indicators, 0-2 points), three responses: all 2; 1-8 at 2 and 9 at 0; all 1.
    Means 5/3 for indicators 1-8 and 1 for 9: 43/3 = 14.33 of 18 points, "Tốt"."""
    from tests.factories import tthc
    from tests.reports_factories import local, respond

    root = make_unit("Sở Nội vụ", code="noi-vu")
    campaign = make_campaign(unit=root, questionnaire=tthc(),
                             opens_on=datetime.date(2025, 1, 1),
                             closes_on=datetime.date(2025, 6, 30))
    # Before any response: no band to give, an empty cell.
    workbook, _ = workbook_of(ReportFilters(campaign=campaign))
    assert list(workbook["Summary"].iter_rows(values_only=True))[-1] == ("TTHC band", None)
    for day, points in ((1, [2] * 9), (15, [2] * 8 + [0]), (20, [1] * 9)):
        respond(campaign, local(2025, 3, day),
                {str(n): value for n, value in enumerate(points, 1)}, unit=root)
    workbook, _ = workbook_of(ReportFilters(campaign=campaign))
    summary = [list(row) for row in workbook["Summary"].iter_rows(values_only=True)]
    assert summary[-3:] == [["TTHC total points", 14.33], ["TTHC maximum", 18],
                            ["TTHC band", "Tốt"]]
    assert workbook["Summary"]["B8"].number_format == "0.00"
    indicators = [list(row) for row in workbook["TTHC indicators"].iter_rows(values_only=True)]
    assert indicators[0] == ["Code", "Indicator", "N", "Mean points"]
    assert [row[0::2] for row in indicators[1:]] == [
        *([str(n), 3] for n in range(1, 9)), ["9", 3]]
    assert [row[3] for row in indicators[1:]] == [1.67] * 8 + [1]
    assert workbook["TTHC indicators"]["D2"].number_format == "0.00"
