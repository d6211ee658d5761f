"""Several ``GROUP BY``s of one selection in one query.

A report sums the same selection (daily tallies or raw rows) by several keys: the whole
selection, each unit, channel, month, procedure, field and officer. :func:`grouped_sums`
asks for all of them at once: ``GROUP BY GROUPING SETS`` on PostgreSQL (one pass over the
rows), ``UNION ALL`` of plain ``GROUP BY``s elsewhere (SQLite). The selection is any
queryset; its SQL (filters, joins, the month in the report's time zone) is Django's.
"""

import datetime

from django.db import connection

from .rollup import report_zone


def grouped_sums(queryset, groups, keys, sums):
    """``{group: [(group value, {key: value}, {sum: total})]}`` for each of ``groups``.

    ``queryset``: the selection, annotated so that each name of ``groups`` (None: the whole
    selection), ``keys`` (grouped by in every set, e.g. the question) and ``sums`` is a
    column. ``sums`` maps a name to the SQL aggregate of that column, e.g.
    ``{"n": "SUM(%s)"}`` (``%s`` stands for the quoted column). One query.
    """
    groups = list(dict.fromkeys(groups))
    if not groups:
        return {}
    named = [g for g in groups if g is not None]
    columns = list(dict.fromkeys([*named, *keys, *sums]))
    inner, params = queryset.values(*columns).order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    aggregates = ", ".join(f"{sql % quote(name)} AS {quote(name)}"
                           for name, sql in sums.items())
    key_list = ", ".join(quote(key) for key in keys)
    if connection.vendor == "postgresql":
        group_columns = ", ".join(quote(g) for g in named) or "NULL"
        flag = f"GROUPING({group_columns})" if named else "0"
        select = ", ".join(filter(None, [flag, ", ".join(quote(g) for g in named), key_list,
                                         aggregates]))
        sets = ", ".join("(" + ", ".join(filter(None, [quote(g) if g else "", key_list]))
                         + ")" for g in groups)
        sql = f"SELECT {select} FROM ({inner}) t GROUP BY GROUPING SETS ({sets})"
        # GROUPING(a, b, c) has a bit set (from the right) for each column left out.
        every = (1 << len(named)) - 1
        flags = {every - (1 << (len(named) - 1 - named.index(g))) if g else every: g
                 for g in groups}
        sql_params = params
    else:
        parts = []
        for i, g in enumerate(groups):
            values = [str(i)] + [quote(h) if h == g else "NULL" for h in named]
            group_by = ", ".join(filter(None, [quote(g) if g else "", key_list]))
            select = ", ".join(filter(None, [", ".join(values), key_list, aggregates]))
            parts.append(f"SELECT {select} FROM ({inner}) t"
                         + (f" GROUP BY {group_by}" if group_by else ""))
        sql = " UNION ALL ".join(parts)
        flags = dict(enumerate(groups))
        sql_params = params * len(groups)
    out = {g: [] for g in groups}
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        for row in cursor.fetchall():
            group = flags[row[0]]
            value = row[1 + named.index(group)] if group else None
            rest = row[1 + len(named):]
            if group == "g_month":
                value = _month(value)
            out[group].append((value, dict(zip(keys, rest[:len(keys)], strict=True)),
                               dict(zip(sums, rest[len(keys):], strict=True))))
    return out


def _month(value):
    """A month from the tallies (a date), from raw rows (a datetime, or text on SQLite)."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value).date()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(report_zone())
        return value.date()
    return value
