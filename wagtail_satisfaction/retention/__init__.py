"""Retention of personal data: what is erased or masked, when, and the record of each purge.

``purge.py`` holds the rule and the purge (one function for the command and the task),
``tasks.py`` the django-tasks task, ``hooks.py`` the history label. See docs/retention.md.
"""
