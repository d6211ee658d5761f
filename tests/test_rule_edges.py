"""The rule modules at their edges, with expected values worked out by hand.

Written against the mutants ``bash scripts/mutation.sh`` left alive (benchmarks/results/
mutation.txt): each test pins a figure or a refusal a user would see change.
"""

import pytest
from django.utils import translation

from tests.factories import sipas, tthc
from tests.reports_factories import make_small_questionnaire
from wagtail_satisfaction.reports.disclosure import Disclosure, suppress_small_groups
from wagtail_satisfaction.reports.scoring import ResponseScore, score_answers

pytestmark = pytest.mark.django_db


def by_code(questionnaire):
    return {question.code: question for question in questionnaire.questions()}


# --- What one response scores -----------------------------------------------------------------

@pytest.mark.parametrize("values, expected", [
    # 1–5 scale, "satisfied" from 4; "dissatisfied" below 3; None = not applicable.
    ({"15": 5, "19": 4, "23": 3, "28": 2, "31": None}, (4, 2, None, True)),
    ({"15": 3, "19": 3, "23": 4}, (3, 1, None, False)),  # 3 is neither
    ({"15": 1}, (1, 0, None, True)),
    ({"15": None, "19": None}, (0, 0, None, False)),  # nothing applicable
    ({"15": 4, "MD1": 1, "K1": 0}, (1, 1, None, False)),  # expectations are not in the index
    ({}, (0, 0, None, False)),
])
def test_a_sipas_response_scores_as_counted_by_hand(values, expected):
    questions = by_code(sipas())
    score = score_answers({questions[code]: value for code, value in values.items()})
    assert score == ResponseScore(*expected)


@pytest.mark.parametrize("values, expected", [
    ({"1": 2, "2": 1, "3": 2}, (0, 0, 5, False)),
    ({"1": 2, "2": 0, "3": 1}, (0, 0, 3, True)),  # one indicator at 0 points
    ({"1": 0}, (0, 0, 0, True)),  # 0 points is a total, not "no points"
    ({"1": 1}, (0, 0, 1, False)),
])
def test_a_tthc_response_scores_its_points_as_counted_by_hand(values, expected):
    questions = by_code(tthc())
    score = score_answers({questions[code]: value for code, value in values.items()})
    assert score == ResponseScore(*expected)


def test_points_outside_the_index_are_not_counted():
    """A 0–2 question under a factor that does not count in the index (an expectation
    factor of a custom questionnaire) neither adds points nor makes a response dissatisfied."""
    from wagtail_satisfaction.models import Factor, Question

    questionnaire = make_small_questionnaire(code="diem")
    outside = Factor.objects.get(questionnaire=questionnaire, code="E")
    extra = Question.objects.create(factor=outside, sort_order=9, code="P", text="Điểm",
                                    scale="points0_2", required=False)
    questions = by_code(questionnaire)
    assert score_answers({extra: 0, questions["1"]: 4}) == ResponseScore(1, 1, None, False)


# --- The small-group rule ---------------------------------------------------------------------

class Row:
    def __init__(self, responses):
        self.responses = responses


def disclose(sizes, minimum):
    groups = [(name, Row(n)) for name, n in sizes]
    result = suppress_small_groups(groups, minimum)
    return ([key for key, _row in result.shown], sorted(result.pooled_keys),
            result.pooled_responses, result.figures_withheld)


@pytest.mark.parametrize("sizes, minimum, expected", [
    # Everyone at or above the minimum: nobody pooled.
    ([("a", 5), ("b", 5)], 5, (["a", "b"], [], 0, False)),
    # A pool of 4 < 5: the smallest shown (b, 6) joins it; a stays.
    ([("a", 9), ("b", 6), ("c", 4)], 5, (["a"], ["b", "c"], 10, False)),
    # A pool already big enough stays as it is.
    ([("a", 9), ("c", 3), ("d", 2)], 5, (["a"], ["c", "d"], 5, False)),
    # Ties: the later of two equally small shown groups joins the pool.
    ([("a", 7), ("b", 7), ("c", 1)], 5, (["a"], ["b", "c"], 8, False)),
    # Everyone in the pool and still too small: figures withheld, responses still counted.
    ([("a", 2), ("b", 1)], 5, ([], ["a", "b"], 3, True)),
    # Nobody: nothing to show, nothing withheld.
    ([], 5, ([], [], 0, False)),
])
def test_small_groups_are_pooled_as_worked_out_by_hand(sizes, minimum, expected):
    assert disclose(sizes, minimum) == expected


def test_the_minimum_comes_from_the_setting_unless_given(settings):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 3
    result = suppress_small_groups([("a", Row(3)), ("b", Row(2)), ("c", Row(4))])
    assert isinstance(result, Disclosure)
    assert result.shown_keys == {"c"} and result.pooled_keys == {"a", "b"}
    assert result.hidden_groups == 2 and result.pooled_responses == 5


# --- Reading an uploaded spreadsheet (imports.py) ---------------------------------------------

def test_only_xlsx_and_csv_files_are_read(english):
    from wagtail_satisfaction.imports import ImportFileError, read_dataset, read_sheets

    for reader in (read_dataset, read_sheets):
        with pytest.raises(ImportFileError, match=r"Please upload an \.xlsx or \.csv file\."):
            reader(b"code,unit\n", "dossiers.txt")
        with pytest.raises(ImportFileError, match="could not be read as an .xlsx or .csv"):
            reader(b"PK\x03\x04 not really a workbook", "dossiers.XLSX")
    assert read_dataset(b"\xef\xbb\xbfcode,unit\nA,b\n", "Dossiers.CSV").headers == ["code",
                                                                                  "unit"]


def test_rows_are_numbered_as_in_the_spreadsheet_and_blank_ones_skipped():
    from wagtail_satisfaction.imports import missing_columns, read_dataset, rows

    dataset = read_dataset(b" code ,unit\nA,x\n, \nB,\n", "d.csv")
    assert list(rows(dataset)) == [(2, {"code": "A", "unit": "x"}),
                                   (4, {"code": "B", "unit": ""})]
    assert missing_columns(dataset, ("code", "unit")) == []
    with translation.override("en"):
        assert missing_columns(dataset, ("code", "received_on", "due_on")) == [
            (1, ["Missing column: received_on, due_on"])]


def test_an_import_result_counts_new_rows_and_names_errors_by_line():
    from wagtail_satisfaction.imports import ImportFileError, ImportResult

    result = ImportResult(stored=5, updated=2)
    assert result.ok and result.new == 3
    result.add_error(4, "one message")
    result.add_error(2, ["first", "second"])
    assert not result.ok and result.errors == [(4, ["one message"]), (2, ["first", "second"])]
    assert ImportResult.refused(ImportFileError("unreadable")).errors == [(1, ["unreadable"])]


# --- The dossier list import ------------------------------------------------------------------

def test_a_dossier_list_without_its_columns_or_with_wrong_cells_is_named(english):
    import datetime

    from tests.channels_factories import make_officer, make_procedure, make_unit, xlsx_bytes
    from wagtail_satisfaction.channels.imports import COLUMNS, import_dossiers
    from wagtail_satisfaction.imports import read_dataset
    from wagtail_satisfaction.models import Dossier

    unit = make_unit("Bộ phận Một cửa", code="mot-cua")
    make_procedure(unit, code="1.001234")
    make_officer(unit, name="Trần Thị Hoa")
    missing = import_dossiers(read_dataset(b"code,unit\nH1,mot-cua\n", "d.csv"))
    assert missing.errors == [(1, ["Missing column: received_on"])]

    def row(**changes):
        values = {"code": "H01.1", "unit": "mot-cua", "procedure": "1.001234",
                  "officer": "Trần Thị Hoa", "applicant_name": "An", "email": "",
                  "phone": "", "received_on": datetime.datetime(2026, 9, 1, 8, 30),
                  "due_on": datetime.date(2026, 9, 15), "returned_on": None, **changes}
        return [values[column] for column in COLUMNS]

    good = import_dossiers(read_dataset(xlsx_bytes(COLUMNS, [row()]), "d.xlsx"))
    assert good.ok and good.new == 1
    stored = Dossier.objects.get(code="H01.1")
    assert (stored.received_on, stored.due_on) == (datetime.date(2026, 9, 1),
                                                   datetime.date(2026, 9, 15))
    bad = import_dossiers(read_dataset(xlsx_bytes(COLUMNS, [
        row(code="H01.2", due_on="mai"),
        row(code="H01.3", unit="khong-co")]), "d.xlsx"))
    assert [line for line, _messages in bad.errors] == [2, 3]
    assert "“mai” is not a date; write it as dd/mm/yyyy." in " ".join(bad.errors[0][1])
    assert Dossier.objects.count() == 1  # all or nothing


# --- Dossier links and tokens (channels/dossiers.py) ------------------------------------------

def test_a_link_is_refused_as_not_valid_for_a_removed_dossier_or_a_foreign_channel(english):
    from tests.channels_factories import make_dossier, make_unit
    from wagtail_satisfaction.channels.dossiers import (
        DossierRefused,
        make_token,
        read_opt_out_token,
        read_token,
    )

    dossier = make_dossier(make_unit("Bộ phận Một cửa", code="mot-cua"))
    assert read_token(make_token(dossier)) == (dossier, "dossier_link")
    assert read_token(make_token(dossier, "email")) == (dossier, "email")
    for token in (make_token(dossier, "website"), make_token(dossier) + "x"):
        with pytest.raises(DossierRefused, match="This survey link is not valid") as refused:
            read_token(token)
        assert refused.value.code == "forged"
    from django.core import signing

    opt_out = signing.dumps({"d": dossier.pk}, salt="wagtail_satisfaction.opt-out")
    assert read_opt_out_token(opt_out) == dossier
    link = make_token(dossier)
    dossier.delete()
    for reader, token in ((read_token, link), (read_opt_out_token, opt_out)):
        with pytest.raises(DossierRefused, match="not valid") as refused:
            reader(token)
        assert refused.value.code == "forged"



# --- Messages people read ---------------------------------------------------------------------

def test_a_closed_or_upcoming_survey_says_so_in_vietnamese_with_its_date():
    import datetime

    from tests.factories import make_campaign
    from wagtail_satisfaction.services import campaign_closed_message

    today = datetime.date.today()
    closed = make_campaign(opens_on=datetime.date(2025, 1, 1), closes_on=datetime.date(2025, 3, 31))
    upcoming = make_campaign(opens_on=today + datetime.timedelta(days=3),
                             closes_on=today + datetime.timedelta(days=30))
    with translation.override("vi"):
        assert campaign_closed_message(closed) == (
            "Cuộc khảo sát này đã kết thúc ngày 31/03/2025. Cảm ơn Ông/Bà đã quan tâm.")
        assert campaign_closed_message(upcoming).endswith(
            (today + datetime.timedelta(days=3)).strftime("%d/%m/%Y") + ".")


def test_the_refusal_of_a_small_officer_filter_names_the_minimum(settings):
    from wagtail_satisfaction.reports.disclosure import TooFewResponses

    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 7
    with translation.override("vi"):
        assert TooFewResponses().message.startswith("Có ít hơn 7 phiếu đánh giá công chức này")
        assert str(TooFewResponses(3)).startswith("Có ít hơn 3 phiếu")
