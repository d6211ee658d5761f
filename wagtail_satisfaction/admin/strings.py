"""Vietnamese for admin strings our users meet that other packages leave in English.

wagtail-modeladmin ships no Vietnamese catalogue, and Wagtail's lacks a few menu labels, so
the listings and menus would greet our users in English. Those strings are listed here for
``makemessages`` and translated in our catalogue, which Django merges with every other
app's. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

MODELADMIN_STRINGS = [
    gettext_noop("Inspect"),
    gettext_noop("Inspect this %(object)s"),
    gettext_noop("Inspecting"),
    gettext_noop("Inspecting %(object)s"),
    gettext_noop("Back to %(model_name)s list"),
    gettext_noop("By %(filter_title)s"),
    gettext_noop("%(result_count)s out of %(all_count)s"),
    gettext_noop("Sorry, there are no %(name)s matching your search parameters."),
    gettext_noop("Search for"),
    gettext_noop("Search %(name)s"),
    gettext_noop("Search"),
    gettext_noop("Filter"),
    gettext_noop("No %(name)s have been created yet."),
    gettext_noop("Pagination"),
    gettext_noop("Page %(current_page)s of %(num_pages)s."),
    gettext_noop("Previous"),
    gettext_noop("Next"),
]

# Wagtail's Vietnamese catalogue has no translation for these menu labels.
WAGTAIL_MENU_STRINGS = [
    gettext_noop("Reports"),
    gettext_noop("Help"),
]
