"""Results for the ISO secretary: filters, statistics, charts, exports, imports, targets.

* ``filters``  – the one filter form shared by the report and every export;
* ``scoring``  – what a single response scores (satisfied, applicable, points, dissatisfied);
* ``rollup``   – daily tallies maintained by ``services.submit_response``;
* ``stats``    – every figure of the report, computed by the database;
* ``charts``   – server-rendered SVG charts;
* ``exports`` / ``imports`` – spreadsheets out and back in;
* ``targets``  – dossier counts and the campaign's minimum targets.
"""
