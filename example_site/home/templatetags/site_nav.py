"""The example site's menu, drawn once and kept in the cache until a page changes.

The menu needs the site and the root's children (two queries on every page); it changes
only when a page is published, unpublished, moved or deleted, which sets a new version.
"""

import uuid

from django import template
from django.core.cache import cache

VERSION_KEY = "example_site:nav-version"

register = template.Library()


@register.simple_tag
def site_nav_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
    return version


def menu_changed(**_kwargs):
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
