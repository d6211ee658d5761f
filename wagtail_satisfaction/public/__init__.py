"""What the public sees of the results: the results page and block, and the open-data API.

Every figure comes from :func:`~wagtail_satisfaction.reports.stats.build_report` (one source);
the small-group rule applies and no officer is ever named.
"""
