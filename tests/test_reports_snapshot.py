"""A report reads the database in one read-only snapshot, without JIT (PostgreSQL)."""

import pytest
from django.db import connection

from wagtail_satisfaction.reports.rollup import one_snapshot

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="snapshot and JIT are PostgreSQL's")


class Filters:
    def roll_up(self):
        pass


def _setting(name):
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_report_reads_one_snapshot_without_jit_and_leaves_the_session_as_it_was():
    before = _setting("jit")

    @one_snapshot
    def build(filters):
        return _setting("transaction_isolation"), _setting("transaction_read_only"), \
            _setting("jit")

    assert build(Filters()) == ("repeatable read", "on", "off")
    assert _setting("jit") == before
