"""The small-group rule: no output names an officer with fewer than MIN_GROUP_SIZE responses,
nor lets one be worked out by subtracting the shown rows from a total (issue 12)."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_campaign, make_officer, make_unit
from tests.reports_factories import local, make_small_questionnaire, respond
from tests.test_reports_views import iso_secretary
from wagtail_satisfaction.reports.disclosure import suppress_small_groups
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.stats import build_report, round_percent

pytestmark = pytest.mark.django_db

MIN = 5
POOL = f"Other officers (fewer than {MIN} responses each)"


@pytest.fixture(autouse=True)
def _rule(settings, english):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = MIN


def make_dataset(counts):
    """A campaign whose officers have ``counts`` = {name: (responses, value of every answer)},
    plus two responses naming no officer."""
    unit = make_unit("Bộ phận một cửa", code="mot-cua")
    campaign = make_campaign(unit=unit, questionnaire=make_small_questionnaire(),
                             slug="nho-le")
    officers = {}
    for name, (responses, value) in counts.items():
        officers[name] = make_officer(unit, name=name)
        for day in range(responses):
            respond(campaign, local(2025, 10, 1 + day), {"1": value, "2": value, "3": value},
                    officer=officers[name], unit=unit)
    for day in range(2):
        respond(campaign, local(2025, 10, 20 + day), {"1": 3, "2": 3, "3": 3}, unit=unit)
    return campaign, officers


# Officers at MIN - 1, 1, MIN and MIN + 1 responses: An and Bình are pooled (4 + 1 = MIN, so
# nobody else needs to join), Cường (exactly MIN) and Dũng are named. An rates everything 1,
# so An's 0 % would be recognisable anywhere.
BOUNDARY = {"Nguyễn Văn An": (MIN - 1, 1), "Lê Thị Bình": (1, 5),
            "Phạm Văn Cường": (MIN, 4), "Hoàng Văn Dũng": (MIN + 1, 5)}
# Subtraction case: An alone is below the minimum; pooling An alone would let anyone read
# An's figures from the pooled row (and from total minus shown rows), so the smallest named
# officer (Cường) joins the pool.
SUBTRACTION = {"Nguyễn Văn An": (MIN - 1, 1), "Phạm Văn Cường": (MIN, 4),
               "Hoàng Văn Dũng": (MIN + 2, 5)}


@pytest.fixture
def boundary():
    return make_dataset(BOUNDARY)


@pytest.fixture
def subtraction():
    return make_dataset(SUBTRACTION)


@pytest.fixture
def secretary(client):
    client.force_login(iso_secretary())
    return client


def officer_rows(report, kind=None):
    """The officer rows (named and pooled); with ``kind="none"`` the no-officer row."""
    breakdown = next(b for b in report.breakdowns if b.key == "officer")
    return [(row.label, row.responses, round_percent(row.percent_satisfied))
            for row in breakdown.rows if (row.kind == "none") == (kind == "none")]


# --- the rule itself -------------------------------------------------------------------

class Group:
    def __init__(self, responses):
        self.responses = responses


@pytest.mark.parametrize(("sizes", "shown", "pooled"), [
    ([MIN - 1], [], [0]),
    ([MIN], [0], []),
    ([MIN + 1], [0], []),
    ([MIN - 1, 1, MIN, MIN + 1], [2, 3], [0, 1]),  # pool of exactly MIN: nobody joins
    ([MIN - 1, MIN, MIN + 2], [2], [0, 1]),  # pool of MIN - 1: the smallest named joins
    ([MIN - 1, MIN + 2, MIN], [1], [0, 2]),
    ([MIN + 3, MIN - 2, MIN - 2], [0], [1, 2]),  # two small groups make a big enough pool
    ([1, 1], [], [0, 1]),  # everybody pooled and still too few
])
def test_small_groups_are_pooled_until_the_pool_is_big_enough(sizes, shown, pooled):
    disclosure = suppress_small_groups([(i, Group(n)) for i, n in enumerate(sizes)], MIN)
    assert [key for key, _row in disclosure.shown] == shown
    assert disclosure.pooled_keys == set(pooled)
    assert disclosure.pooled_responses == sum(sizes[i] for i in pooled)
    assert disclosure.figures_withheld == (0 < disclosure.pooled_responses < MIN)


# --- the report ------------------------------------------------------------------------

def test_officers_at_the_boundary_are_named_or_pooled(boundary):
    campaign, _officers = boundary
    report = build_report(ReportFilters(campaign=campaign))
    assert officer_rows(report) == [
        ("Phạm Văn Cường", MIN, 100), ("Hoàng Văn Dũng", MIN + 1, 100),
        (POOL, MIN, 20)]  # An's 0 of 12 and Bình's 3 of 3 satisfied answers: 3 / 15
    # The rows add up to every response that names an officer; the two naming nobody have
    # their own row (all answers 3: no satisfied answer).
    assert sum(row[1] for row in officer_rows(report)) == report.responses - 2
    assert officer_rows(report, "none") == [("No officer named", 2, 0)]


def test_the_pool_never_isolates_fewer_than_the_minimum(subtraction):
    campaign, _officers = subtraction
    report = build_report(ReportFilters(campaign=campaign))
    rows = officer_rows(report)
    # Pool: An's 0 of 12 and Cường's 15 of 15 satisfied answers, 15 / 27.
    assert rows == [("Hoàng Văn Dũng", MIN + 2, 100), (POOL, 2 * MIN - 1, Decimal("55.56"))]
    # Total responses naming an officer minus the named rows: never fewer than MIN, so An's
    # figures (0 % satisfied) cannot be read from any row nor worked out from the total.
    named = sum(n for label, n, _pct in rows if label != POOL)
    assert (report.responses - 2) - named >= MIN
    assert all(pct != 0 for _label, _n, pct in rows)


def test_when_every_officer_is_pooled_and_still_too_few_the_figures_are_withheld():
    campaign, _officers = make_dataset({"Nguyễn Văn An": (MIN - 2, 1), "Lê Thị Bình": (1, 5)})
    report = build_report(ReportFilters(campaign=campaign))
    assert officer_rows(report) == [(POOL, MIN - 1, None)]
    # The total minus the no-officer row would be the pool's figures: withheld too.
    assert officer_rows(report, "none") == [("No officer named", 2, None)]


def section(html, key):
    match = re.search(rf'<section class="sr-section" id="by-{key}">(.*?)</section>', html,
                      re.S)
    return match.group(1)


def test_the_report_page_names_only_officers_the_rule_allows(secretary, subtraction):
    campaign, _officers = subtraction
    html = secretary.get(reverse("wagtail_satisfaction_reports:report"),
                         {"campaign": campaign.pk}).content.decode()
    officers = section(html, "officer")
    assert "Hoàng Văn Dũng" in officers
    assert "Nguyễn Văn An" not in officers and "Phạm Văn Cường" not in officers
    assert POOL in officers and f">{2 * MIN - 1}<" in officers
    assert "2 officers are counted under “Other officers”" in officers


@pytest.mark.parametrize(("name", "allowed"), [("Nguyễn Văn An", False),
                                               ("Phạm Văn Cường", True),
                                               ("Hoàng Văn Dũng", True)])
def test_the_page_refuses_an_officer_filter_below_the_minimum(secretary, boundary, name,
                                                              allowed):
    campaign, officers = boundary
    page = secretary.get(reverse("wagtail_satisfaction_reports:report"),
                         {"campaign": campaign.pk, "officer": officers[name].pk})
    html = page.content.decode()
    assert ('id="figure-responses"' in html) is allowed
    assert ("the figures are not shown" in html) is not allowed


# --- every export ----------------------------------------------------------------------

def download(client, **query):
    return client.get(reverse("wagtail_satisfaction_reports:export"), query)


def workbook_of(response):
    return load_workbook(io.BytesIO(response.content))


def sheet(workbook, title):
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_xlsx_pools_the_same_officers_as_the_page(secretary, subtraction):
    campaign, _officers = subtraction
    workbook = workbook_of(download(secretary, campaign=campaign.pk, format="xlsx"))
    by_officer = sheet(workbook, "By officer")[1:]
    assert [row[:2] for row in by_officer] == [["Hoàng Văn Dũng", MIN + 2],
                                               [f"{POOL}: 2 officers", 2 * MIN - 1],
                                               ["No officer named", 2]]
    responses = sheet(workbook, "Responses")
    column = responses[0].index("officer")
    named = [row[column] for row in responses[1:]]
    assert named.count("Hoàng Văn Dũng") == MIN + 2
    assert named.count(POOL) == 2 * MIN - 1
    assert "Nguyễn Văn An" not in named and "Phạm Văn Cường" not in named


def test_the_csv_names_only_officers_the_rule_allows(secretary, boundary):
    campaign, _officers = boundary
    rows = csv_rows(download(secretary, campaign=campaign.pk, format="csv"))
    named = [row["officer"] for row in rows]
    assert named.count("Phạm Văn Cường") == MIN  # exactly the minimum: named
    assert named.count("Hoàng Văn Dũng") == MIN + 1
    assert named.count(POOL) == MIN  # An (MIN - 1) and Bình (1)
    assert named.count("") == 2  # responses naming no officer
    assert "Nguyễn Văn An" not in named and "Lê Thị Bình" not in named


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_filtered_on_a_small_officer_is_refused_like_the_page(secretary, boundary,
                                                                        fmt):
    campaign, officers = boundary
    refused = download(secretary, campaign=campaign.pk, officer=officers["Nguyễn Văn An"].pk,
                       format=fmt)
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("wagtail_satisfaction_reports:report"))
    assert "Content-Disposition" not in refused
    assert any("the figures are not shown" in str(m) for m in get_messages(refused.wsgi_request))
    # Exactly MIN responses: the export is the officer's, as on the page.
    allowed = download(secretary, campaign=campaign.pk,
                       officer=officers["Phạm Văn Cường"].pk, format=fmt)
    assert allowed.status_code == 200
    if fmt == "csv":
        assert [row["officer"] for row in csv_rows(allowed)] == ["Phạm Văn Cường"] * MIN
    else:
        summary = dict(row[:2] for row in sheet(workbook_of(allowed), "Summary")[1:])
        assert summary["Responses"] == MIN


def test_the_comments_csv_of_a_small_officer_is_refused(secretary, boundary):
    campaign, officers = boundary
    refused = download(secretary, campaign=campaign.pk, officer=officers["Lê Thị Bình"].pk,
                       format="csv", kind="comments")
    assert refused.status_code == 302


def test_the_export_command_refuses_a_small_officer(boundary, tmp_path):
    campaign, officers = boundary
    with pytest.raises(CommandError, match="the figures are not shown"):
        call_command("satisfaction_export", campaign=campaign.slug,
                     officer=officers["Nguyễn Văn An"].pk, format="csv",
                     output=str(tmp_path / "an.csv"))
    assert not (tmp_path / "an.csv").exists()
    call_command("satisfaction_export", campaign=campaign.slug,
                 officer=officers["Phạm Văn Cường"].pk, format="csv",
                 output=str(tmp_path / "cuong.csv"))
    assert (tmp_path / "cuong.csv").read_text(encoding="utf-8-sig").count("Phạm Văn Cường") == MIN
