"""The references of ``benchmarks/submit.py``: a Wagtail FormPage and a plain one-INSERT view.

Installed only by ``benchmarks.settings``; not part of the wheel (setup.cfg packages only
``wagtail_satisfaction``) nor of the example site's INSTALLED_APPS.
"""
