"""The round trip: what the product exports, it imports back whole (issue 11, point 5).

A sub-unit's file, in xlsx or csv, with English or Vietnamese headers, goes back in with
every field: answers (N/A too), comment text and moderation, officer, procedure, unit, time,
channel, dossier code and whether it was proven. Importing it twice stores nothing new; a
column the import does not know or needs and cannot find refuses the file, naming it.
"""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from tests.reports_factories import build_hand_dataset, local, respond
from wagtail_satisfaction.imports import ImportFileError, read_sheets
from wagtail_satisfaction.models import Answer, Comment, Response, ResponseSeal, SealChain
from wagtail_satisfaction.reports.exports import ExportRequest
from wagtail_satisfaction.reports.imports import import_responses
from wagtail_satisfaction.reports.rollup import rebuild_tallies

pytestmark = pytest.mark.django_db

FORMATS = ["xlsx", "csv"]
LANGUAGES = ["en", "vi"]


@pytest.fixture(autouse=True)
def every_officer_named(settings):
    # The small-group rule names officers with few responses "Other officers" in exports
    # (tests/test_reports_small_groups.py); a round trip of every field needs them named.
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 1


@pytest.fixture
def data():
    data = build_hand_dataset()
    # A proven dossier rating with a Vietnamese comment still waiting for moderation.
    data["proven"] = respond(
        data["campaign"], local(2025, 11, 12, 15, 45), {"1": 5, "2": "na", "3": 4, "E1": 2},
        unit=data["unit_a1"], officer=data["an"], channel="dossier_link",
        dossier_code="HS-2025-000123", dossier_proven=True,
        comment="Thủ tục nhanh gọn, chị Nguyễn Thị Hương hướng dẫn rất tận tình!")
    return data


def export(campaign, file_format, language):
    """The file the report's download gives a user working in ``language``."""
    stream = io.BytesIO()
    with translation.override(language):
        ExportRequest({"campaign": campaign.pk}, format=file_format, personal=True).write(
            stream)
    return stream.getvalue()


def load(content, file_format):
    return read_sheets(content, f"ket-qua.{file_format}")


def snapshot(campaign):
    """Every stored field a user would see, per response id."""
    rows = {}
    for response in (Response.objects.filter(campaign=campaign)
                     .select_related("unit", "procedure", "officer")):
        comment = Comment.objects.filter(response=response).first()
        rows[response.uid] = {
            "submitted_at": response.submitted_at, "channel": response.channel,
            "unit": response.unit.code,
            "procedure": response.procedure.code if response.procedure else None,
            "officer": response.officer.name if response.officer else None,
            "dossier_code": response.dossier_code, "dossier_proven": response.dossier_proven,
            "email": response.email,
            "answers": dict(Answer.objects.filter(response=response)
                            .values_list("question__code", "value")),
            "comment": comment.text if comment else None,
            "comment_state": comment.state if comment else None,
            "score": (response.index_applicable, response.index_satisfied,
                      response.points, response.dissatisfied),
        }
    return rows


def empty(campaign):
    """A fresh database for the campaign: its responses, their seals and tallies gone."""
    ResponseSeal.objects.filter(campaign=campaign).delete()
    SealChain.objects.filter(campaign=campaign).delete()
    Response.objects.filter(campaign=campaign).delete()
    rebuild_tallies()


def verify_is_clean():
    out = io.StringIO()
    call_command("satisfaction_verify", stdout=out)  # raises CommandError when not clean
    return out.getvalue()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("file_format", FORMATS)
def test_importing_the_export_again_stores_nothing_new(data, file_format, language):
    campaign = data["campaign"]
    before = snapshot(campaign)
    content = export(campaign, file_format, language)
    with translation.override(language):
        result = import_responses(campaign, load(content, file_format))
    assert result.ok, result.errors
    assert (result.stored, result.skipped) == (0, 6)
    assert snapshot(campaign) == before
    assert Comment.objects.count() == 4
    verify_is_clean()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("file_format", FORMATS)
def test_the_export_imported_into_an_empty_campaign_is_identical(data, file_format,
                                                                   language):
    campaign = data["campaign"]
    before = snapshot(campaign)
    content = export(campaign, file_format, language)
    empty(campaign)
    assert not snapshot(campaign)
    with translation.override(language):
        result = import_responses(campaign, load(content, file_format))
    assert result.ok, result.errors
    assert (result.stored, result.skipped) == (6, 0)
    after = snapshot(campaign)
    if file_format == "xlsx":
        # Excel keeps a time to the millisecond; the csv keeps it whole.
        for row in before.values():
            moment = row["submitted_at"]
            row["submitted_at"] = moment + datetime.timedelta(
                microseconds=round(moment.microsecond, -3) - moment.microsecond)
    assert after == before  # field by field, every response
    proven = after[data["proven"].uid]
    assert proven["comment"] == ("Thủ tục nhanh gọn, chị Nguyễn Thị Hương hướng dẫn rất "
                                 "tận tình!")
    assert proven["dossier_proven"] and proven["dossier_code"] == "HS-2025-000123"
    assert proven["answers"]["2"] is None  # N/A stays N/A
    # The formula-looking comment comes back as the visitor typed it.
    assert "=HYPERLINK(\"http://x\") thủ tục chậm" in {r["comment"] for r in after.values()}
    # Sealed on import: the chain and the tallies verify clean.
    assert ResponseSeal.objects.filter(campaign=campaign).count() == 6
    verify_is_clean()
    again = import_responses(campaign, load(content, file_format))
    assert (again.stored, again.skipped) == (0, 6)


def test_a_kept_moderation_decision_is_in_the_comments_history(data, admin_user):
    from wagtail_satisfaction.moderation.decisions import history

    campaign = data["campaign"]
    content = export(campaign, "xlsx", "vi")
    empty(campaign)
    import_responses(campaign, load(content, "xlsx"), entered_by=admin_user)
    spam = Comment.objects.get(response__uid=data["responses"][2].uid)
    assert spam.state == "spam" and spam.decided_by == admin_user
    assert history(spam).first().data["to"] == "spam"


def edit_header(content, file_format, old, new):
    """The exported file with one header renamed (``new=None`` removes the column)."""
    if file_format == "csv":
        table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        index = table[0].index(old)
        for row in table:
            if new is None:
                del row[index]
        if new is not None:
            table[0][index] = new
        out = io.StringIO()
        csv.writer(out).writerows(table)
        return out.getvalue().encode()
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        headers = [cell.value for cell in sheet[1]]
        if old in headers and "Q1" in headers:
            column = headers.index(old) + 1
            if new is None:
                sheet.delete_cols(column)
            else:
                sheet.cell(1, column).value = new
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("file_format", FORMATS)
def test_an_unknown_column_is_refused_by_name(data, file_format):
    campaign = data["campaign"]
    content = edit_header(export(campaign, "csv" if file_format == "csv" else "xlsx", "vi"),
                          file_format, "Mã hồ sơ", "Ghi chú riêng")
    count = Response.objects.count()
    with translation.override("vi"), pytest.raises(ImportFileError) as error:
        import_responses(campaign, load(content, file_format))
    assert "Cột không có trong bản xuất: “Ghi chú riêng”" in str(error.value)
    assert Response.objects.count() == count


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_missing_column_is_refused_by_name(data, file_format):
    campaign = data["campaign"]
    content = edit_header(export(campaign, file_format, "vi"), file_format, "Ý kiến", None)
    empty(campaign)
    with translation.override("vi"), pytest.raises(ImportFileError) as error:
        import_responses(campaign, load(content, file_format))
    assert "Thiếu cột: “Ý kiến”" in str(error.value)
    assert not Response.objects.exists()
    with translation.override("en"), pytest.raises(ImportFileError) as error:
        import_responses(campaign, load(content, file_format))
    assert "Missing column(s): “comment”" in str(error.value)


def test_headers_of_either_language_may_be_mixed_and_typed_loosely(data):
    campaign = data["campaign"]
    content = edit_header(export(campaign, "csv", "en"), "csv", "comment", "  ý KIẾN ")
    content = edit_header(content, "csv", "officer", "Công chức")
    empty(campaign)
    result = import_responses(campaign, load(content, "csv"))
    assert result.ok and result.stored == 6
    assert Comment.objects.filter(text="Cán bộ rất nhiệt tình").exists()


def test_a_response_of_another_campaign_is_an_error_not_a_skip(data):
    from tests.factories import make_campaign

    other = make_campaign(questionnaire=data["campaign"].questionnaire,
                          unit=data["campaign"].unit, slug="khac")
    content = export(data["campaign"], "csv", "en")
    with translation.override("en"):
        result = import_responses(other, load(content, "csv"))
    assert not result.ok and result.stored == 0 and result.skipped == 0
    assert "already stored in another campaign" in "; ".join(result.errors[0][1])
