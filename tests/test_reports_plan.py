"""Where a report reads its figures from (reports.stats._plan), for any dates.

On PostgreSQL the report reads whole months from monthly tallies, whole weeks from weekly
ones and the days left over from daily tallies or raw rows. Every part must read days
that belong to it only: a monthly tally asked for a month the dates only cut would count
the days outside them. These tests walk dates cut at every edge (first, second, last and
next-to-last days of months, February in and out of a leap year, weeks from Monday or
not) and check each plan against references computed here by walking the days one by
one. The tallies' own figures are compared with raw answers in
tests/test_reports_month_tallies.py.
"""

import datetime
import itertools

import pytest

from wagtail_satisfaction.reports import stats
from wagtail_satisfaction.reports.filters import ReportFilters

DAY = datetime.timedelta(days=1)
PROCEDURE, OFFICER, SECTOR = object(), object(), object()  # only their presence is read
FILTERS = {
    "": {}, "channel": {"channel": "website"}, "procedure": {"procedure": PROCEDURE},
    "officer": {"officer": OFFICER}, "sector": {"sector": SECTOR},
    "channel+procedure": {"channel": "website", "procedure": PROCEDURE},
    "channel+officer": {"channel": "website", "officer": OFFICER},
    "channel+sector": {"channel": "website", "sector": SECTOR},
    "procedure+officer": {"procedure": PROCEDURE, "officer": OFFICER},
    "channel+procedure+officer": {"channel": "website", "procedure": PROCEDURE,
                                  "officer": OFFICER},
}
GROUPS = (None, "unit", "channel", "month", "procedure", "sector", "officer")


@pytest.fixture(autouse=True)
def _keyed_tallies(monkeypatch):
    """The monthly, weekly and daily keyed tallies are kept (as on PostgreSQL)."""
    monkeypatch.setattr(stats, "keeps_month_tallies", lambda: True)


def days(start, end):
    return [start + DAY * n for n in range((end - start).days + 1)]


def days_read(part, start, end):
    """The days a plan's part reads, open dates bounded by the report's."""
    first, last = part.start or start, part.end or end
    read = days(first, last) if first <= last else []
    if part.skip:
        low, high = part.skip
        read = [day for day in read if (low is not None and day < low)
                or (high is not None and day > high)]
    return read


def month_ends(day):
    return (day + DAY).month != day.month


def whole_months(start, end):
    """(first, last) day of the whole months inside the dates, walking the days; or None."""
    inside = days(start, end)
    firsts = [day for day in inside if day.day == 1]
    lasts = [day for day in inside if month_ends(day)]
    if not firsts or not lasts or lasts[-1] < firsts[0]:
        return None
    return firsts[0], lasts[-1]


def has_whole_week(read):
    """Whether some Monday and the Sunday after it are both among the days."""
    read = set(read)
    return any(day.weekday() == 0 and day + 6 * DAY in read
               and all(day + n * DAY in read for n in range(7)) for day in read)


def edge_days():
    """Days at every edge: each month's 1st, 2nd, next-to-last and last, and plain ones,
    from December 2023 to March 2025 (February 2024 has 29 days, 2025's 28)."""
    found = set()
    for month in range(12, 28):
        first = datetime.date(2023 + month // 12, month % 12 + 1, 1)
        after = (first + 32 * DAY).replace(day=1)
        found |= {first, first + DAY, first + 14 * DAY, after - 2 * DAY, after - DAY}
    return sorted(found)


DATES = [(start, end) for start, end in itertools.combinations(edge_days(), 2)
         if (end - start).days <= 100][::7] + [
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),  # a leap February, whole
    (datetime.date(2025, 2, 1), datetime.date(2025, 2, 28)),
    (datetime.date(2024, 2, 2), datetime.date(2024, 3, 31)),  # starts on a February 2nd
    (datetime.date(2025, 2, 2), datetime.date(2025, 3, 31)),
    (datetime.date(2024, 1, 31), datetime.date(2024, 3, 1)),  # cuts both ends by a day
    (datetime.date(2024, 12, 2), datetime.date(2025, 1, 1)),
    (datetime.date(2025, 3, 3), datetime.date(2025, 3, 9)),  # one whole week, Monday-Sunday
    (datetime.date(2025, 3, 4), datetime.date(2025, 3, 10)),  # seven days, no whole week
    (datetime.date(2025, 3, 31), datetime.date(2025, 4, 1)),  # two days, two months
]


def test_the_dates_cover_every_edge_case():
    assert len(DATES) > 100
    assert any(start.day == 2 and end.day == 1 for start, end in DATES)
    assert any(start.day == 1 and month_ends(end) for start, end in DATES)
    assert any(month_ends(start) and end.day == 2 for start, end in DATES)


@pytest.mark.parametrize("kind", ["responses", "answers"])
@pytest.mark.parametrize("chosen", list(FILTERS))
def test_every_part_of_a_plan_reads_only_days_it_may_read(kind, chosen):
    """For cut dates: each day read once; a monthly source only whole months, all of the
    whole months inside the dates; a weekly source Monday to Sunday, leaving no whole week
    to the days read raw; no part reading no day at all."""
    for (start, end), group in itertools.product(DATES, GROUPS):
        filters = ReportFilters(campaign=None, start=start, end=end, **FILTERS[chosen])
        plan = stats._plan(filters, kind, group)
        where = (start, end, group, [(source, part.start, part.end, part.skip)
                                     for source, part in plan])
        read = [days_read(part, start, end) for _source, part in plan]
        assert all(read), where
        assert sorted(day for part in read for day in part) == days(start, end), where
        monthly = [(source, part) for source, part in plan if source in stats.MONTH_SOURCES]
        if monthly:
            [(source, part)] = monthly
            assert (part.start, part.end) == whole_months(start, end), where
            assert part.skip is None
        else:  # no whole month inside the dates, or no monthly tally knows the selection
            assert whole_months(start, end) is None or not any(
                stats._knows(name, kind, filters, group) for name in stats.MONTH_SOURCES) or (
                    stats._day_source(filters, kind, group) == "daily"), where
        for (source, part), part_days in zip(plan, read, strict=True):
            if source.endswith("_week"):
                assert (part.start.weekday(), part.end.weekday()) == (0, 6), where
            if source == "raw" and any(s.endswith("_week") for s, _p in plan):
                assert not has_whole_week(part_days), where


def test_whole_months_are_read_from_one_monthly_tally():
    """Dates on a month's edges need no daily part: one monthly source reads them all."""
    for start, end in [(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
                       (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)),
                       (None, datetime.date(2025, 3, 31)), (datetime.date(2025, 2, 1), None)]:
        filters = ReportFilters(campaign=None, start=start, end=end, procedure=PROCEDURE)
        assert [(source, part) for source, part in stats._plan(filters, "answers", None)] == [
            ("procedure_all", filters)]
    # Open dates that cut a month: the whole months before or after from the monthly tally.
    filters = ReportFilters(campaign=None, end=datetime.date(2025, 3, 10), officer=OFFICER)
    [(month, whole), (day, rest)] = stats._plan(filters, "responses", None)
    assert (month, whole.start, whole.end) == ("officer_all", None, datetime.date(2025, 2, 28))
    assert (day, rest.skip) == ("officer_day", (None, datetime.date(2025, 2, 28)))


# The source each selection is read from over whole months: the first of KEYED_SOURCES
# (smallest first) that can apply every filter and give the group; "daily" where the daily
# tallies can (no procedure, field or officer; answers without a channel); raw rows where
# no tally knows the filters together (a channel with a procedure and an officer, or a
# channel with a procedure or an officer grouped by the other). A field breakdown of one
# procedure is one row: a source keyed by procedure gives it without a field column.
SOURCES = {
    "responses": {
        "": "daily daily daily daily procedure_all officer_all officer_all",
        "channel": "daily daily daily daily procedure officer officer",
        "procedure": "procedure_all procedure_all procedure procedure_all procedure_all "
                     "procedure_all procedure_officer",
        "officer": "officer_all officer_all officer officer_all procedure_officer "
                   "officer_all officer_all",
        "sector": "procedure_all procedure_all procedure procedure_all procedure_all "
                  "officer_all officer_all",
        "channel+procedure": "procedure procedure procedure procedure procedure procedure raw",
        "channel+officer": "officer officer officer officer raw officer officer",
        "channel+sector": "procedure procedure procedure procedure procedure officer officer",
        "procedure+officer": "procedure_officer procedure_officer raw procedure_officer "
                             "procedure_officer procedure_officer procedure_officer",
        "channel+procedure+officer": "raw raw raw raw raw raw raw",
    },
}
SOURCES["answers"] = {**SOURCES["responses"],
                      # the daily answer tallies have no channel: a monthly one by channel
                      "": "daily daily channel_month daily procedure_all officer_all "
                          "officer_all",
                      "channel": "channel_month channel_month channel_month channel_month "
                                 "procedure officer officer"}


@pytest.mark.parametrize("kind", ["responses", "answers"])
def test_each_selection_is_read_from_the_smallest_tally_that_knows_it(kind):
    for chosen, expected in SOURCES[kind].items():
        filters = ReportFilters(campaign=None, start=datetime.date(2025, 10, 1),
                                end=datetime.date(2025, 11, 30), **FILTERS[chosen])
        found = []
        for group in GROUPS:
            [(source, part)] = stats._plan(filters, kind, group)
            assert part is filters
            found.append(source)
        assert found == expected.split(), (kind, chosen)


def test_raw_filters_read_raw_rows_and_sqlite_keeps_no_keyed_tallies(monkeypatch):
    filters = ReportFilters(campaign=None, start=datetime.date(2025, 10, 4),
                            end=datetime.date(2025, 11, 3), procedure=PROCEDURE, raw=True)
    assert stats._plan(filters, "answers", None) == [("raw", filters)]
    monkeypatch.setattr(stats, "keeps_month_tallies", lambda: False)
    filters = ReportFilters(campaign=None, start=datetime.date(2025, 10, 4),
                            end=datetime.date(2025, 11, 3), procedure=PROCEDURE)
    assert stats._plan(filters, "answers", None) == [("raw", filters)]
    channel = ReportFilters(campaign=None, channel="paper")
    assert stats._plan(channel, "answers", None) == [("raw", channel)]
    assert stats._plan(channel, "responses", None) == [("daily", channel)]
