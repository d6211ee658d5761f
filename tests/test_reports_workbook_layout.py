"""The workbook as its reader opens it (reports/exports.py, issue 10's mutation run): sheet
names Excel accepts, a bold shaded header row, columns wide enough for their header (text
columns wide and wrapped), percentages, decimals and times as typed and formatted cells,
empty values as empty cells, and each chart beside its table, drawn from its column."""

import datetime
import io
import zipfile
from decimal import Decimal
from fractions import Fraction

import pytest
import xlsxwriter
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.test_mutation_kills_exports import hand, workbook_of  # noqa: F401 (fixture)
from wagtail_satisfaction.reports import exports
from wagtail_satisfaction.reports.exports import SheetResource, _Sheets, sheet_title
from wagtail_satisfaction.reports.filters import ReportFilters

# xlsxwriter stores a width of w characters as w + 182/256 (the cell's padding).
PADDING = 182 / 256


def widths(sheet):
    """{column letter: width in characters} of every column with a width set."""
    found = {}
    for dimension in sheet.column_dimensions.values():
        if dimension.width:
            for col in range(dimension.min, dimension.max + 1):
                found[get_column_letter(col)] = dimension.width - PADDING
    return found


def written(tables):
    """Write ``tables`` [(title, resource, rows)] with _Sheets; the workbook as read back and
    its raw files."""
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream, {"constant_memory": True,
                                            "strings_to_formulas": False})
    sheets = _Sheets(workbook)
    for title, resource, rows in tables:
        sheets.write(title, resource, rows, summary=title == "Summary")
    workbook.close()
    content = stream.getvalue()
    return load_workbook(io.BytesIO(content)), zipfile.ZipFile(io.BytesIO(content))


def test_sheet_names_are_ones_excel_accepts_and_never_repeat():
    used = set()
    assert sheet_title("Theo đơn vị", used) == "Theo đơn vị"
    assert sheet_title("Tỉ lệ [a]: b*c?/d\\e", used) == "Tỉ lệ  a   b c  d e"
    long = "Theo lĩnh vực thủ tục hành chính cấp tỉnh"
    assert sheet_title(long, used) == long[:31]
    assert sheet_title(long, used) == long[:28] + " 2"
    assert sheet_title(long, used) == long[:28] + " 3"
    assert sheet_title("Theo đơn vị", used) == "Theo đơn vị 2"
    assert used == {"Theo đơn vị", "Tỉ lệ  a   b c  d e", long[:31], long[:28] + " 2",
                    long[:28] + " 3", "Theo đơn vị 2"}


def test_each_kind_of_value_is_a_typed_cell_in_its_format():
    resource = SheetResource(
        [("label", "Nhóm"), ("share", "Tỉ lệ hài lòng"), ("points", "Điểm"),
         ("plain", "N"), ("note", "Ghi chú")],
        {"label": "text", "share": "percent", "points": "decimal", "note": "text"})
    rows = [
        {"label": "=Phòng A", "share": Fraction(200, 3), "points": Fraction(43, 3), "plain": 7,
         "note": ""},
        {"label": "Phòng B", "share": Fraction(25, 2), "points": Decimal("2.345"),
         "plain": Decimal("2.345"), "note": None},
        {"label": "Phòng C", "share": None, "points": 3, "plain": Fraction(1, 3),
         "note": datetime.datetime(2025, 10, 1, 0, 30)},
    ]
    book, _ = written([("Bảng", resource, rows)])
    sheet = book["Bảng"]
    cells = [[(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows(2)]
    date = "yyyy-mm-dd hh:mm:ss"
    assert cells == [
        # text made safe; percentages (66.666…, 12.5) rounded half-up to 2 places and
        # stored as fractions of 1 in percentage cells
        [("'=Phòng A", "General"), (0.6667, "0.00%"), (14.33, "0.00"), (7, "General"),
         (None, "General")],
        [("Phòng B", "General"), (0.125, "0.00%"), (2.35, "0.00"), (2.35, "0.00"),
         (None, "General")],
        [("Phòng C", "General"), (None, "General"), (3, "0.00"), (0.33, "0.00"),
         (datetime.datetime(2025, 10, 1, 0, 30), date)],
    ]
    # An empty value leaves the cell empty: no empty string a filter would count.
    assert [sheet.cell(row, 5).data_type for row in (2, 3)] == ["n", "n"]
    assert sheet["E2"].value is None and sheet["B4"].value is None
    # Text columns wrap, the others do not.
    assert [sheet.cell(2, col).alignment.wrap_text for col in range(1, 5)] == [
        True, None, None, None]


def test_the_header_row_is_bold_shaded_framed_and_each_column_fits_its_header():
    long = "Tỉ lệ người dân hài lòng với việc tiếp nhận và trả kết quả hồ sơ (%)"  # 69
    resource = SheetResource(
        [("label", "Nhóm"), ("n", "N"), ("mean", "Điểm trung bình của các chỉ số"),
         ("submitted_at", "Giờ"), ("long", long), ("share", "Tỉ lệ")],
        {"label": "text", "share": "percent"})
    book, _ = written([("Bảng", resource, [{"label": "Một", "n": 1}])])
    sheet = book["Bảng"]
    header = list(sheet[1])
    assert [cell.value for cell in header] == ["Nhóm", "N", "Điểm trung bình của các chỉ số",
                                               "Giờ", long, "Tỉ lệ"]
    for cell in header:
        assert cell.font.b and cell.fill.fgColor.rgb == "FFDDE5F0", cell.coordinate
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
        assert {cell.border.left.style, cell.border.right.style, cell.border.top.style,
                cell.border.bottom.style} == {"thin"}
    # Text wide (48); others their header's length + 2, at least 10 and at most 60; the
    # time of a response at least 20.
    assert widths(sheet) == {"A": 48, "B": 10, "C": 32, "D": 20, "E": 60, "F": 10}
    assert sheet.freeze_panes == "A2"


def test_a_chart_stands_beside_its_table_and_draws_its_column():
    resource = SheetResource([("label", "Tháng"), ("n", "Số phiếu"), ("index", "Chỉ số")],
                             {"label": "text", "index": "percent"}, chart=("line", "index"))
    rows = [{"label": f"{month:02d}/2025", "n": month, "index": Fraction(month * 100, 12)}
            for month in (9, 10, 11)]
    empty = SheetResource([("label", "Tháng"), ("index", "Chỉ số")], chart=("bar", "index"))
    book, archive = written([("Xu hướng", resource, rows), ("Trống", empty, [])])
    [chart] = book["Xu hướng"]._charts
    # Top left corner: beside the table (one column left free), level with its first row.
    assert (chart.anchor._from.col, chart.anchor._from.row) == (4, 1)
    assert book["Trống"]._charts == []  # nothing to draw: no chart
    [name] = [name for name in archive.namelist() if name.startswith("xl/charts/")]
    xml = archive.read(name).decode()
    assert "<c:lineChart>" in xml
    assert "<c:f>'Xu hướng'!$A$2:$A$4</c:f>" in xml  # the months
    assert "<c:f>'Xu hướng'!$C$2:$C$4</c:f>" in xml  # the index column
    assert "$B$" not in xml  # not the responses
    assert xml.count("Chỉ số") == 2  # the series' name and the chart's title
    assert "<c:legend>" not in xml


@pytest.mark.django_db
def test_the_reports_workbook_is_laid_out_for_reading(hand):  # noqa: F811
    """The hand dataset's workbook: wide text columns exactly where text is long, every
    other column fitting its header, and the responses' times at least 20 wide."""
    workbook, _ = workbook_of(ReportFilters(campaign=hand["campaign"]), personal=True)
    wide = {title: sorted(letter for letter, width in widths(workbook[title]).items()
                          if width == 48) for title in workbook.sheetnames}
    assert wide == {
        "Summary": ["A"], "Questions": ["B", "C"], "Factors": ["B"],
        **{title: ["A"] for title in ("By unit", "By procedure", "By field", "By officer",
                                      "By channel", "Trend by month")},
        "Expectations": ["C"], "Targets": ["A", "L"], "Responses": [], "Comments": ["D"]}
    for title in workbook.sheetnames:
        sheet = workbook[title]
        for cell in sheet[1]:
            width = widths(sheet)[cell.column_letter]
            if width != 48:
                least = 20 if cell.value == "submitted_at" else 10
                assert width == min(60, max(least, len(cell.value) + 2)), (title, cell.value)
    responses = workbook["Responses"]
    assert widths(responses)["B"] == 20  # "submitted_at" is 12 letters
    assert responses.dimensions == f"A1:{get_column_letter(responses.max_column)}6"


@pytest.mark.django_db
def test_a_column_with_more_values_than_it_remembers_writes_the_rest_inline(
        hand, monkeypatch):  # noqa: F811
    """The responses sheet remembers a column's first values as shared strings; past
    REMEMBERED it writes each cell inline. Either way the cells read the same."""
    filters = ReportFilters(campaign=hand["campaign"])
    whole, content = workbook_of(filters, personal=True)
    monkeypatch.setattr(exports._FastRows, "REMEMBERED", 3)
    few, few_content = workbook_of(filters, personal=True)
    values = [[cell for cell in row] for row in whole["Responses"].iter_rows(values_only=True)]
    assert [list(row) for row in few["Responses"].iter_rows(values_only=True)] == values

    def shared(data):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
            return sum(archive.read(name).decode().count('t="s"') for name in sheets), sum(
                archive.read(name).decode().count('t="inlineStr"') for name in sheets)

    (shared_whole, inline_whole), (shared_few, inline_few) = shared(content), shared(few_content)
    assert shared_few < shared_whole and inline_few > inline_whole
    assert shared_few + inline_few == shared_whole + inline_whole


@pytest.mark.django_db
def test_a_tthc_workbook_is_laid_out_for_its_points():
    """A TTHC questionnaire has points, not percentages: its indicators' text is wide,
    mean points have two decimals, the trend gives points as decimals and the Decision 766
    ratio as a percentage, and no chart is drawn of a percentage it does not have."""
    import datetime

    from tests.factories import make_campaign, make_unit, tthc
    from tests.reports_factories import local, respond

    root = make_unit("Sở Nội vụ", code="noi-vu")
    campaign = make_campaign(unit=root, questionnaire=tthc(),
                             opens_on=datetime.date(2025, 1, 1),
                             closes_on=datetime.date(2025, 6, 30))
    for day, points in ((1, [2] * 9), (15, [2] * 8 + [0])):
        respond(campaign, local(2025, 3, day),
                {str(n): value for n, value in enumerate(points, 1)}, unit=root)
    workbook, _ = workbook_of(ReportFilters(campaign=campaign))
    indicators = workbook["TTHC indicators"]
    assert [cell.value for cell in indicators[1]] == ["Code", "Indicator", "N", "Mean points"]
    assert widths(indicators)["B"] == 48 and indicators["B2"].alignment.wrap_text
    assert indicators["D2"].number_format == "0.00"
    trend = workbook["Trend by month"]
    header = [cell.value for cell in trend[1]]
    formats = {name: trend.cell(2, col).number_format for col, name in enumerate(header, 1)}
    assert formats["Responses"] == "General"
    assert [formats[name] for name in header if name not in ("Month", "Responses")] == [
        "0.00" if "point" in name.lower() else ("General" if name == "Band" else "0.00%")
        for name in header if name not in ("Month", "Responses")]
    assert "0.00" in formats.values() and "0.00%" in formats.values()
    assert workbook["Questions"]._charts == []
    assert len(trend._charts) == 1


@pytest.mark.django_db
def test_the_expectations_are_ranked_and_the_groups_indices_are_percentages(hand):  # noqa: F811
    workbook, content = workbook_of(ReportFilters(campaign=hand["campaign"]))
    assert [list(row) for row in workbook["Expectations"].iter_rows(values_only=True)] == [
        ["Rank", "Code", "Expectation", "N", "Mean level (1–3)"],
        [1, "E1", "Thái độ phục vụ", 5, 2.4], [2, "E2", "Chuyển đổi số", 4, 2]]
    assert workbook["Expectations"]["E2"].number_format == "0.00"
    for title in ("By unit", "By channel", "Trend by month"):
        sheet = workbook[title]
        header = [cell.value for cell in sheet[1]]
        row = next(r for r in sheet.iter_rows(min_row=2) if all(c.value is not None for c in r))
        assert [cell.number_format for cell in row] == [
            "General", "General", *["0.00%"] * (len(header) - 2)], title
    # The monthly trend's line is drawn from the overall index (a survey with factors).
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/charts/chart2.xml").decode()
    assert "<c:f>'Trend by month'!$E$2:$E$4</c:f>" in xml


# The raw worksheet XML of the responses sheet, which _FastRows writes itself.
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def responses_only(filters, personal=False):
    """The workbook of the responses sheet alone, and its raw sheet and shared strings."""
    from xml.etree import ElementTree

    stream = io.BytesIO()
    with translation.override("en"):
        exports.write_xlsx(stream, filters, personal=personal, parts=("responses",))
    content = stream.getvalue()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        raw = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = ([item.findtext(f"{MAIN}t") or "" for item in ElementTree.fromstring(
            archive.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")]
            if "xl/sharedStrings.xml" in archive.namelist() else [])
    return load_workbook(io.BytesIO(content)), sheet, raw, strings


@pytest.mark.django_db
def test_the_responses_sheet_declares_the_range_it_fills(hand):  # noqa: F811
    """Excel's used range (Ctrl+End, print area) is the sheet's <dimension>: the header and
    every response, with none, one and five responses."""
    from wagtail_satisfaction.reports.exports import ResponseResource

    campaign = hand["campaign"]
    last = get_column_letter(len(ResponseResource(campaign.questionnaire).fields))
    for filters, rows in ((ReportFilters(campaign=campaign, start=datetime.date(2025, 9, 2),
                                         end=datetime.date(2025, 9, 3)), 0),
                          (ReportFilters(campaign=campaign, unit=hand["unit_b"]), 1),
                          (ReportFilters(campaign=campaign), 5)):
        workbook, sheet, _, _ = responses_only(filters)
        assert sheet.find(f"{MAIN}dimension").get("ref") == f"A1:{last}{1 + rows}"
        assert workbook["Responses"].max_row == 1 + rows


@pytest.mark.django_db
def test_each_response_row_holds_a_cell_for_each_value_and_nothing_else(hand):  # noqa: F811
    """Rows of <c> elements only (no stray text Excel would call a damaged file), numbered
    in order, and no cell for an empty value (unanswered, no officer, no comment)."""
    _, sheet, _, strings = responses_only(ReportFilters(campaign=hand["campaign"]))
    rows = sheet.find(f"{MAIN}sheetData").findall(f"{MAIN}row")
    assert [row.get("r") for row in rows] == ["1", "2", "3", "4", "5", "6"]
    empty = 0
    for row in rows[1:]:
        assert not (row.text or "").strip()
        for cell in row:
            assert cell.tag == f"{MAIN}c" and not (cell.tail or "").strip()
            assert cell.get("r").endswith(row.get("r"))
            if cell.get("t") == "s":
                text = strings[int(cell.findtext(f"{MAIN}v"))]
            elif cell.get("t") == "inlineStr":
                text = cell.find(f"{MAIN}is").findtext(f"{MAIN}t")
            else:
                text = cell.findtext(f"{MAIN}v")
            assert text, cell.get("r")
        # r4 (no officer, procedure, comment) has fewer cells than there are columns
        empty += len(sheet.find(f"{MAIN}cols")) - len(row)
    assert empty > 0


@pytest.mark.django_db
def test_text_written_inline_keeps_the_spaces_at_its_ends(hand, monkeypatch):  # noqa: F811
    """Past what a column remembers, text is written inline; Excel drops the spaces at the
    ends of inline text unless it is marked xml:space="preserve". (A comment is stripped
    when stored; a unit's name written by an import or the shell may keep its spaces.)"""
    from tests.factories import make_unit
    from tests.reports_factories import local, respond

    text = "  Bộ phận một cửa  "
    unit = make_unit(text, parent=hand["root"], code="mot-cua")
    respond(hand["campaign"], local(2025, 10, 2), {"1": 3, "2": 3, "3": 3}, unit=unit,
            channel="paper")
    monkeypatch.setattr(exports._FastRows, "REMEMBERED", 2)  # (None and "" only)
    workbook, _, raw, _ = responses_only(ReportFilters(campaign=hand["campaign"]))
    assert f'<t xml:space="preserve">{text}</t>' in raw
    assert text in [cell.value for row in workbook["Responses"].iter_rows() for cell in row]
    assert raw.count('xml:space="preserve"') == 1  # text without such spaces is left alone


@pytest.mark.django_db
def test_long_comments_wrap_at_the_top_of_their_cells(hand):  # noqa: F811
    """The comments' text column wraps and aligns to the top, its cells as the column (a
    cell's own format wins over its column's); the other columns keep Excel's default."""
    workbook, _ = workbook_of(ReportFilters(campaign=hand["campaign"]))
    comments = workbook["Comments"]
    assert comments.max_row == 3
    for (cell,) in comments.iter_rows(min_row=2, min_col=4, max_col=4):
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top", cell.value
    assert comments.column_dimensions["D"].alignment.wrap_text
    assert comments.column_dimensions["D"].alignment.vertical == "top"
    for letter in "ABC":
        assert not comments.column_dimensions[letter].alignment.wrap_text
        assert comments[f"{letter}2"].alignment.vertical is None
    # In every sheet only the wide text columns have a format of their own (a number typed
    # later into an empty cell of a percentage column is not turned into a percentage).
    for sheet in workbook.worksheets:
        for dimension in sheet.column_dimensions.values():
            if dimension.width:
                wide = dimension.width - PADDING == 48
                assert dimension.number_format == "General", (sheet.title, dimension.min)
                assert bool(dimension.alignment.wrap_text) == wide, (sheet.title, dimension.min)


@pytest.mark.django_db
def test_comments_read_as_typed_text_and_unmasked_only_in_a_personal_workbook(hand):  # noqa: F811
    """A comment that looks like a number or a link stays text (no number, no hyperlink);
    the phone number typed into one is masked unless the workbook is a personal one."""
    from tests.reports_factories import local, respond
    from wagtail_satisfaction.models import Comment

    for day, text in ((2, "Gọi 0912345678 để hẹn"), (3, "https://dichvucong.gov.vn")):
        response = respond(hand["campaign"], local(2025, 11, day), {"1": 3, "2": 3, "3": 3},
                           unit=hand["unit_a"], channel="paper", comment=text)
        Comment.objects.filter(response=response).update(state="relevant")
    filters = ReportFilters(campaign=hand["campaign"])
    plain, _ = workbook_of(filters)
    personal, _ = workbook_of(filters, personal=True)
    texts = [cell.value for (cell,) in plain["Comments"].iter_rows(min_row=2, min_col=4,
                                                                    max_col=4)]
    assert "0912345678" not in texts[2] and texts[2].endswith("78 để hẹn")
    personal_texts = [cell.value for (cell,) in personal["Comments"].iter_rows(
        min_row=2, min_col=4, max_col=4)]
    assert personal_texts[2:] == ["Gọi 0912345678 để hẹn", "https://dichvucong.gov.vn"]
    assert personal["Comments"]["D5"].data_type == "s"
    assert personal["Comments"]["D5"].hyperlink is None


@pytest.mark.django_db
def test_the_questions_columns_follow_the_survey_order_within_a_factor(hand):  # noqa: F811
    """Question 2 moved before question 1 in its factor: its columns follow, as on the form
    (whatever order the database keeps the rows in)."""
    from wagtail_satisfaction.models import Question

    Question.objects.filter(factor__questionnaire=hand["campaign"].questionnaire,
                            code="2").update(sort_order=-1)
    workbook, _ = workbook_of(ReportFilters(campaign=hand["campaign"]))
    header = [cell.value for cell in workbook["Responses"][1]]
    assert [name for name in header if name in ("Q1", "Q2", "Q3")] == ["Q2", "Q1", "Q3"]
