"""The admin report page reads what it shows in few queries (issue 13): the filter bar's
lists in one, the figures, the previous period's, the targets' sums and the dossier counts
in one, the unit scope in one. What each saves must not change what a user sees: these
tests hold the page's lists, targets and comparison to the functions that compute them
alone. (The query ceiling is in test_reports_month_tallies.)"""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import make_user
from tests.test_reports_breakdowns import sipas  # noqa: F401 (fixture)
from tests.test_reports_views import iso_secretary
from wagtail_satisfaction.models import Campaign, DossierCount, Round, Unit, UnitScope
from wagtail_satisfaction.models.scopes import restrict
from wagtail_satisfaction.reports.comparison import compare_with_previous
from wagtail_satisfaction.reports.filters import ReportFilters
from wagtail_satisfaction.reports.stats import build_report
from wagtail_satisfaction.reports.targets import target_progress, target_units

pytestmark = pytest.mark.django_db

URL = "wagtail_satisfaction_reports:report"


@pytest.fixture(autouse=True)
def _minimum(settings):
    settings.WAGTAIL_SATISFACTION_MIN_GROUP_SIZE = 2


@pytest.fixture
def rounds(sipas):  # noqa: F811
    d = datetime.date
    Round.objects.create(campaign=sipas, name="Đợt 2", sort_order=1, starts_on=d(2025, 11, 1),
                         ends_on=d(2025, 12, 31))
    Round.objects.create(campaign=sipas, name="Đợt 1", sort_order=0, starts_on=d(2025, 10, 1),
                         ends_on=d(2025, 10, 31))
    other = Campaign.objects.create(title="Khảo sát khác", slug="khac", unit=sipas.unit,
                                    questionnaire=sipas.questionnaire,
                                    opens_on=d(2025, 1, 1), closes_on=d(2025, 6, 30))
    Round.objects.create(campaign=other, name="Đợt A", starts_on=d(2025, 1, 1),
                         ends_on=d(2025, 3, 31))
    unit_a = Unit.objects.get(code="phong-a")
    for unit, dossiers in ((unit_a, 10), (Unit.objects.get(code="to-a1"), 4),
                           (Unit.objects.get(code="phong-b"), 7)):
        DossierCount.objects.create(unit=unit, starts_on=d(2025, 10, 1),
                                    ends_on=d(2025, 10, 31), dossiers=dossiers,
                                    forms_handed_out=dossiers + 1)
    DossierCount.objects.create(unit=unit_a, starts_on=d(2025, 11, 1),
                                ends_on=d(2025, 12, 31), dossiers=20)
    sipas.target_responses = 2
    sipas.save()
    return sipas


def user_of(who):
    if who == "superuser":
        return make_user("quan_tri", is_superuser=True)
    user = iso_secretary()
    UnitScope.objects.create(user=user, unit=Unit.objects.get(code="phong-a"))
    return user


def options(page, name):
    html = page.content.decode()
    start = html.index(f'name="{name}"')
    select = html[start:html.index("</select>", start)]
    return [part.split('"', 2)[1] for part in select.split("<option value=")[1:]]


@pytest.mark.usefixtures("rounds")
@pytest.mark.parametrize("who", ["scoped", "superuser"])
def test_the_filter_bar_lists_exactly_what_the_user_may_pick(client, sipas, who):  # noqa: F811
    user = user_of(who)
    client.force_login(user)
    page = client.get(reverse(URL), {"campaign": sipas.pk})
    form = page.context["form"]
    for name in ("campaign", "round", "unit", "sector", "procedure", "officer"):
        # The field's own queryset (scoped as the form scopes it), in its own order.
        expected = [str(obj.pk) for obj in form.fields[name].queryset]
        shown = [value for value in options(page, name) if value]
        assert shown == expected, name
    units = set(options(page, "unit")) - {""}
    if who == "scoped":  # Phòng A and Tổ A1 only, as every list of theirs
        assert units == {str(u.pk) for u in restrict(Unit.objects.all(), user)}
        assert units == {str(Unit.objects.get(code=c).pk) for c in ("phong-a", "to-a1")}
        assert "Trần Chi" not in page.content.decode()  # Phòng B's officer
    else:
        assert len(units) == Unit.objects.count()
    assert "Khảo sát khác – Đợt A" in page.content.decode()


@pytest.mark.usefixtures("rounds")
@pytest.mark.parametrize("who", ["scoped", "superuser"])
@pytest.mark.parametrize("params", [
    {}, {"period": "quarter", "year": 2025, "number": 4},
    {"period": "month", "year": 2025, "number": 11, "channel": "website"},
    {"round": "Đợt 1"}, {"unit": "to-a1"},
])
def test_the_page_targets_and_comparison_are_those_computed_alone(
        client, sipas, who, params):  # noqa: F811
    client.force_login(user_of(who))
    query = {"campaign": sipas.pk, **params}
    if "round" in params:
        query["round"] = Round.objects.get(name=params["round"]).pk
    if "unit" in params:
        query["unit"] = Unit.objects.get(code=params["unit"]).pk
    page = client.get(reverse(URL), query)
    assert page.status_code == 200
    filters = page.context["filters"]
    alone = target_progress(filters.campaign, units=target_units(filters), filters=filters)

    def line(t):
        return (t.unit.pk, t.period, t.responses, t.dossiers, t.forms, t.met)

    assert [line(t) for t in page.context["targets"]] == [line(t) for t in alone]
    assert page.context["targets"]  # the table is there
    report = build_report(filters)
    assert page.context["report"].dossiers == report.dossiers
    comparison = page.context["comparison"]
    expected = compare_with_previous(filters, report)
    if expected is None:
        assert comparison is None
    else:
        assert [(c.label, c.previous, c.current) for c in comparison.lines] == [
            (c.label, c.previous, c.current) for c in expected.lines]


def test_the_decision_766_base_is_the_dossiers_of_the_period(rounds):
    unit_a = Unit.objects.get(code="phong-a")
    d = datetime.date
    whole = build_report(ReportFilters(campaign=rounds, unit=unit_a), targets=True)
    assert whole.dossiers == 10 + 4 + 20  # Phòng A and Tổ A1, every count in the campaign
    october = ReportFilters(campaign=rounds, start=d(2025, 10, 1), end=d(2025, 10, 31))
    assert build_report(october).dossiers == 10 + 4 + 7
    assert build_report(ReportFilters(campaign=rounds, channel="paper")).dossiers is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_reads_one_repeatable_read_only_snapshot(campaign):
    from wagtail_satisfaction.reports.rollup import one_snapshot

    def show(cursor, name):
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]

    @one_snapshot
    def build(filters):
        with connection.cursor() as cursor:
            return show(cursor, "transaction_isolation"), show(cursor, "transaction_read_only")

    assert build(ReportFilters(campaign=campaign)) == ("repeatable read", "on")
    with connection.cursor() as cursor:  # the connection's own level afterwards
        assert show(cursor, "transaction_isolation") == "read committed"
        assert show(cursor, "transaction_read_only") == "off"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_report_statement_is_run_without_jit_and_leaves_jit_as_it_was(campaign):
    # Over a million responses, compiling the one-statement report took 3.3 s of a 3.3 s
    # query (custom dates with a channel); without JIT it ran in 0.9 s.
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = build_report(ReportFilters(campaign=campaign, channel="web"))
    figures = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]
               or "GROUP BY" in q["sql"]]
    assert figures and all(sql.startswith("SET LOCAL jit = off; ") for sql in figures)
    assert report.responses == build_report(
        ReportFilters(campaign=campaign, channel="web", raw=True)).responses
    with connection.cursor() as cursor:  # only the statement's transaction was changed
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"
