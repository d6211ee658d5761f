"""PostgreSQL statements of the request path, prepared once per database connection.

A submission's big ``INSERT … RETURNING`` (see ``services.store_postgresql``) costs the
database more to parse, analyse and plan than to run. Prepared once per connection with
SQL's ``PREPARE``, each submission sends ``EXECUTE name(values)`` instead: the same rows, the
same two round trips (the ``PREPARE`` rides in the first submission's message), and the
driver keeps binding values on the client as Django does. Prepared statements belong to the
server session, not to a transaction: a rolled-back submission keeps them.

Behind a pooler that hands one client connection several server sessions (PgBouncer in
transaction mode), a statement may be missing, or already there, on the session a message
reaches: that submission is rolled back and sent again unprepared, and the connection
prepares nothing more. ``WAGTAIL_SATISFACTION_PREPARE_STATEMENTS = False`` prepares nothing.
"""

import functools
import hashlib
import re
import weakref

from .conf import get_setting

# SQLSTATEs of a prepared statement missing (invalid_sql_statement_name) or already there
# (duplicate_prepared_statement) on the server session.
NOT_IN_SESSION = {"26000", "42P05"}

# Per psycopg connection: the names prepared on it, or None when it prepares nothing.
_prepared = weakref.WeakKeyDictionary()


@functools.cache
def _definition(sql):
    """``(name, text to PREPARE)`` of a statement with ``%s`` placeholders; the name is
    the text's digest, so a session never holds another text under it."""
    if re.search(r"%[^s]", sql):
        raise ValueError("Only %s placeholders can be prepared")
    numbers = iter(range(1, sql.count("%s") + 1))
    name = "satisfaction_" + hashlib.sha256(sql.encode()).hexdigest()[:16]
    return name, re.sub("%s", lambda _match: f"${next(numbers)}", sql)


def prepared_call(raw_connection, sql, param_count):
    """The text to send for ``sql`` on ``raw_connection``: ``(text, results before the
    statement's own)``. ``EXECUTE`` of its prepared statement (preceded by its
    ``PREPARE`` the first time on this connection), or ``sql`` itself when the
    connection prepares nothing. The values are those ``sql`` takes, in its order."""
    names = _prepared.get(raw_connection, ())
    if names is None or not get_setting("PREPARE_STATEMENTS"):
        return sql, 0
    name, body = _definition(sql)
    call = f"EXECUTE {name}({', '.join(['%s'] * param_count)})"
    if name in names:
        return call, 0
    _prepared.setdefault(raw_connection, set()).add(name)
    return f"PREPARE {name} AS {body}; {call}", 1


def not_in_session(error):
    """Whether ``error`` says a prepared statement is missing from (or already in) the
    server session, as behind a transaction-mode pooler."""
    cause = getattr(error, "__cause__", None) or error
    return getattr(cause, "sqlstate", None) in NOT_IN_SESSION


def stop_preparing(raw_connection):
    """Prepare nothing more on ``raw_connection`` (its statements are sent as they are)."""
    _prepared[raw_connection] = None
