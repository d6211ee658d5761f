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
import operator

from django.db import connection

from .rollup import report_zone


def grouped_sums(queryset, groups, keys, sums):
    """``{group: [(group value, {key: value}, {sum: total})]}`` for each of ``groups``.

    ``queryset``: the selection, annotated so that each name of ``groups`` (None: the whole
    selection), ``keys`` (grouped by in every set, e.g. the question) and ``sums`` is a
    column; or a list of such querysets, the parts of one selection, summed together.
    ``sums`` maps a name to the SQL aggregate of that column, e.g.
    ``{"n": "SUM(%s)"}`` (``%s`` stands for the quoted column). One query. A job of
    :func:`grouped_sums_many` may add a fifth item, ``tuples`` (see :func:`_statement`).
    """
    return grouped_sums_many([(queryset, groups, keys, sums)])[0]


def grouped_sums_many(jobs):
    """:func:`grouped_sums` of each ``(queryset, groups, keys, sums)`` of ``jobs``, in one
    query: the statements one after another in a ``UNION ALL``, each row tagged with its
    job. Whole-number columns (ids, counts, sums) share places, cast to ``bigint``; any
    other column (a channel, a month) has a place of its own (``NULL`` in the other jobs'
    rows), so that no place mixes two types and rows stay narrow."""
    statements = [_statement(*job) for job in jobs]
    statements = [(i, *found) for i, found in enumerate(statements) if found is not None]
    out = [{} for _job in jobs]
    if not statements:
        return out
    if len(statements) == 1:
        i, sql, params, _columns, decode = statements[0]
        with connection.cursor() as cursor:
            _execute(cursor, sql, params)
            out[i] = decode(cursor.fetchall())
        return out
    quote = connection.ops.quote_name
    shared = max(sum(integer for _name, integer in columns)
                 for _i, _sql, _params, columns, _decode in statements)
    own = [(i, name) for i, _sql, _params, columns, _decode in statements
           for name, integer in columns if not integer]
    parts, all_params, places = [], [], {}
    if connection.vendor == "postgresql":
        # PostgreSQL types a UNION's columns pair by pair, and a column NULL in the first
        # two parts becomes text: a first part that returns no row (the planner drops it
        # unread) gives every place its type.
        parts.append("SELECT " + ", ".join(
            ["-1", *["CAST(NULL AS bigint)"] * shared,
             *(f"t{i}.{quote(name)}" for i, name in own)])
            + " FROM " + " CROSS JOIN ".join(f"({sql}) t{i}" for i, sql, *_rest in statements)
            + " WHERE false")
        all_params.extend(p for _i, _sql, params, *_rest in statements for p in params)
    for i, sql, params, columns, _decode in statements:
        numbers = [name for name, integer in columns if integer]
        select = [str(i), *(f"CAST(t{i}.{quote(name)} AS bigint)" for name in numbers),
                  *["NULL"] * (shared - len(numbers)),
                  *(f"t{i}.{quote(name)}" if j == i else "NULL" for j, name in own)]
        parts.append(f"SELECT {', '.join(select)} FROM ({sql}) t{i}")
        all_params.extend(params)
        number_places = iter(range(1, 1 + len(numbers)))
        at = [next(number_places) if integer else 1 + shared + own.index((i, name))
              for name, integer in columns]
        places[i] = operator.itemgetter(*at) if len(at) > 1 else (
            lambda row, at=at[0]: (row[at],))
    rows = {i: [] for i in places}
    with connection.cursor() as cursor:
        _execute(cursor, " UNION ALL ".join(parts), all_params)
        for row in cursor.fetchall():
            rows[row[0]].append(places[row[0]](row))
    for i, _sql, _params, _columns, decode in statements:
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


def _statement(queryset, groups, keys, sums, tuples=False):
    """(SQL, params, its columns [(name, whole numbers?)], decode(rows) -> result) of one
    :func:`grouped_sums`, or None when there are no groups. ``tuples``: each row's keys and
    sums as tuples in the order of ``keys`` and ``sums``, not dicts (faster to read)."""
    groups = list(dict.fromkeys(groups))
    if not groups:
        return None
    named = [g for g in groups if g is not None]
    columns = list(dict.fromkeys([*named, *keys, *sums]))
    quote = connection.ops.quote_name
    inner, params = _selection(queryset, columns, quote)
    first = queryset[0] if isinstance(queryset, list | tuple) else queryset
    described = [("grouping", True),
                 *((name, _whole_numbers(first, name)) for name in [*named, *keys, *sums])]
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

    at = {g: 1 + named.index(g) if g else None for g in groups}
    first_sum = 1 + len(named) + len(keys)

    def decode(rows):
        out = {g: [] for g in groups}
        for row in rows:
            group = flags[row[0]]
            value = row[at[group]] if group else None
            if group == "g_month":
                value = _month(value)
            found, totals = row[1 + len(named):first_sum], row[first_sum:]
            out[group].append((value, found, totals) if tuples else
                              (value, dict(zip(keys, found, strict=True)),
                               dict(zip(sums, totals, strict=True))))
        return out

    return sql, sql_params, described, decode


WHOLE_NUMBERS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField",
                 "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                 "PositiveBigIntegerField", "PositiveSmallIntegerField", "ForeignKey"}


def _whole_numbers(queryset, name):
    """Whether a column of the selection holds whole numbers (an id, a count), so that
    its sums do too."""
    expression = queryset.query.annotations.get(name)
    field = (expression.output_field if expression is not None
             else queryset.model._meta.get_field(name))
    return field.get_internal_type() in WHOLE_NUMBERS


def _selection(queryset, columns, quote):
    """(SQL, params) of the rows to group: one queryset's, or several querysets' rows
    (the same selection's parts, e.g. days read apart) one after another in a ``UNION
    ALL``, each part's columns named in the same order."""
    if not isinstance(queryset, list | tuple):
        return queryset.values(*columns).order_by().query.sql_with_params()
    names = ", ".join(quote(name) for name in columns)
    parts, params = [], []
    for part in queryset:
        sql, part_params = part.values(*columns).order_by().query.sql_with_params()
        parts.append(f"SELECT {names} FROM ({sql}) p")
        params.extend(part_params)
    return " UNION ALL ".join(parts), params


def _month(value):
    """A month from the tallies (a date), from raw rows (a datetime, or text on SQLite)."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value).date()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(report_zone())
        return value.date()
    return value
