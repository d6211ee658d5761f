"""Several ``GROUP BY``s of one selection in one query.

A report sums the same selection (daily tallies or raw rows) by several keys: the whole
selection, each unit, channel, month, procedure, field and officer. :func:`grouped_sums`
asks for all of them at once: ``GROUP BY GROUPING SETS`` on PostgreSQL (one pass over the
rows), ``UNION ALL`` of plain ``GROUP BY``s elsewhere (SQLite). The selection is any
queryset; its SQL (filters, joins, the month in the report's time zone) is Django's.
:func:`grouped_sums_many` sends several of them (the report's sources, the previous
period's, the targets') as one statement.
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
    return grouped_sums_many([(queryset, groups, keys, sums)])[0]


def grouped_sums_many(jobs):
    """:func:`grouped_sums` of each ``(queryset, groups, keys, sums)`` of ``jobs``, in one
    query: the statements side by side in a ``UNION ALL``, each row tagged with its job and
    each job's columns in places of their own (``NULL`` in the others' rows), so that no
    column mixes two jobs' types."""
    statements = [_statement(*job) for job in jobs]
    statements = [(i, *found) for i, found in enumerate(statements) if found is not None]
    out = [{} for _job in jobs]
    if not statements:
        return out
    if len(statements) == 1:
        i, sql, params, width, decode = statements[0]
        with connection.cursor() as cursor:
            _execute(cursor, sql, params)
            out[i] = decode(cursor.fetchall())
        return out
    total = sum(width for _i, _sql, _params, width, _decode in statements)
    parts, all_params, places, offset = [], [], {}, 0
    if connection.vendor == "postgresql":
        # PostgreSQL types a UNION's columns pair by pair, and a column NULL in the first
        # two parts becomes text: a first part that returns no row (the planner drops it
        # unread) gives every column its job's type.
        parts.append("SELECT -1, " + ", ".join(f"t{i}.*" for i, *_rest in statements)
                     + " FROM " + " CROSS JOIN ".join(f"({sql}) t{i}"
                                                      for i, sql, *_rest in statements)
                     + " WHERE false")
        all_params.extend(p for _i, _sql, params, *_rest in statements for p in params)
    for i, sql, params, width, _decode in statements:
        columns = ", ".join([str(i)] + ["NULL"] * offset
                            + [f"t{i}.*"] + ["NULL"] * (total - offset - width))
        parts.append(f"SELECT {columns} FROM ({sql}) t{i}")
        all_params.extend(params)
        places[i] = (offset + 1, offset + 1 + width)
        offset += width
    rows = {i: [] for i in places}
    with connection.cursor() as cursor:
        _execute(cursor, " UNION ALL ".join(parts), all_params)
        for row in cursor.fetchall():
            first, last = places[row[0]]
            rows[row[0]].append(row[first:last])
    for i, _sql, _params, _width, decode in statements:
        out[i] = decode(rows[i])
    return out


def _execute(cursor, sql, params):
    """Run a report statement. On PostgreSQL without JIT: the report's statement (every
    source in one ``UNION ALL``) costs more than ``jit_optimize_above_cost`` over a million
    responses, and compiling it took 3.3 s of a 3.3 s query (custom dates with a channel);
    without JIT it runs in 0.9 s. ``SET LOCAL`` rides in the same message (no query more)
    and lasts until the end of the statement's transaction (the report's snapshot, or the
    message's own implicit one)."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    cursor.execute("SET LOCAL jit = off; " + sql, params)
    cursor.nextset()


def _statement(queryset, groups, keys, sums):
    """(SQL, params, number of columns, decode(rows) -> result) of one :func:`grouped_sums`,
    or None when there are no groups."""
    groups = list(dict.fromkeys(groups))
    if not groups:
        return None
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
        select = ", ".join(filter(None, [f"{flag} AS {quote('grouping')}",
                                         ", ".join(quote(g) for g in named), key_list,
                                         aggregates]))
        sets = ", ".join("(" + ", ".join(filter(None, [quote(g) if g else "", key_list]))
                         + ")" for g in groups)
        sql = f"SELECT {select} FROM ({inner}) t GROUP BY GROUPING SETS ({sets})"
        # GROUPING(a, b, c) has a bit set (from the right) for each column left out.
        every = (1 << len(named)) - 1
        flags = {every - (1 << (len(named) - 1 - named.index(g))) if g else every: g
                 for g in groups}
        sql_params = list(params)
    else:
        parts = []
        for i, g in enumerate(groups):
            values = [f"{i} AS {quote('grouping')}"] + [
                f"{quote(h) if h == g else 'NULL'} AS {quote(h)}" for h in named]
            group_by = ", ".join(filter(None, [quote(g) if g else "", key_list]))
            select = ", ".join(filter(None, [", ".join(values), key_list, aggregates]))
            parts.append(f"SELECT {select} FROM ({inner}) t"
                         + (f" GROUP BY {group_by}" if group_by else ""))
        sql = " UNION ALL ".join(parts)
        flags = dict(enumerate(groups))
        sql_params = list(params) * len(groups)

    def decode(rows):
        out = {g: [] for g in groups}
        for row in rows:
            group = flags[row[0]]
            value = row[1 + named.index(group)] if group else None
            rest = row[1 + len(named):]
            if group == "g_month":
                value = _month(value)
            out[group].append((value, dict(zip(keys, rest[:len(keys)], strict=True)),
                               dict(zip(sums, rest[len(keys):], strict=True))))
        return out

    return sql, sql_params, 1 + len(named) + len(keys) + len(sums), decode


def _month(value):
    """A month from the tallies (a date), from raw rows (a datetime, or text on SQLite)."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value).date()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(report_zone())
        return value.date()
    return value
