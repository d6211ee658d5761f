"""The small-group rule: no output singles out fewer than ``MIN_GROUP_SIZE`` responses of one
officer.

One rule for the report page, every export (xlsx, csv, the command, background jobs) and any
later output:

* an officer with fewer than ``MIN_GROUP_SIZE`` responses is not shown by name; such officers
  are pooled into one row, "Other officers", with their responses, so that the rows still add
  up to the officers' total;
* complementary suppression: when the pool itself holds fewer than ``MIN_GROUP_SIZE``
  responses, its figures are the hidden officer's figures again (directly, or by subtracting
  the shown rows from the total), so the smallest shown officers join the pool until it holds
  at least ``MIN_GROUP_SIZE`` responses. When every officer is in the pool and it is still too
  small, the pool's figures are withheld (its responses are still counted);
* a report or export filtered on one officer is refused below ``MIN_GROUP_SIZE`` responses.

Callers give the groups already counted by the database (``GROUP BY officer``); this module only
decides what may be shown.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext

from ..conf import get_setting


def minimum_group_size():
    return get_setting("MIN_GROUP_SIZE")


def pool_label(minimum=None):
    """The label of the pooled row, also written in the officer column of exported rows."""
    return gettext("Other officers (fewer than %(minimum)s responses each)") % {
        "minimum": minimum or minimum_group_size()}


def pool_label_pattern():
    """A regex matching the pooled row's label in any of the site's languages and for any
    minimum: the import of a sub-unit's export reads such an officer cell as naming nobody."""
    import re

    from django.conf import settings
    from django.utils import translation

    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(gettext("Other officers (fewer than %(minimum)s responses each)"))
    return re.compile("|".join(re.escape(label).replace(re.escape("%(minimum)s"), r"\d+")
                               for label in sorted(labels)))


@dataclass
class Disclosure:
    """What may be shown of a list of (key, row) groups; rows have a ``responses`` count."""

    shown: list  # (key, row) pairs that may be shown by name, in the given order
    pooled_keys: set = field(default_factory=set)  # keys whose rows went into the pool
    pooled_responses: int = 0
    figures_withheld: bool = False  # the pool is too small even with every group in it

    @property
    def shown_keys(self):
        return {key for key, _row in self.shown}

    @property
    def hidden_groups(self):
        return len(self.pooled_keys)


def suppress_small_groups(groups, minimum=None):
    """Apply the small-group rule to (key, row) pairs; return a :class:`Disclosure`.

    Groups below ``minimum`` are pooled; while the pool is non-empty and smaller than
    ``minimum``, the smallest shown group joins it (ties: the later one in ``groups``), so that
    subtracting the shown rows from the total never isolates fewer than ``minimum`` responses.
    """
    minimum = minimum_group_size() if minimum is None else minimum
    shown = [(key, row) for key, row in groups if row.responses >= minimum]
    pooled = [(key, row) for key, row in groups if row.responses < minimum]
    pooled_responses = sum(row.responses for _key, row in pooled)
    while pooled and pooled_responses < minimum and shown:
        smallest = min(range(len(shown)), key=lambda i: (shown[i][1].responses, -i))
        key, row = shown.pop(smallest)
        pooled.append((key, row))
        pooled_responses += row.responses
    return Disclosure(shown=shown, pooled_keys={key for key, _row in pooled},
                      pooled_responses=pooled_responses,
                      figures_withheld=bool(pooled) and pooled_responses < minimum)


class TooFewResponses(ValueError):
    """A report or export filtered on one officer who has too few responses to show."""

    def __init__(self, minimum=None):
        self.minimum = minimum or minimum_group_size()
        super().__init__(str(self.message))

    @property
    def message(self):
        return gettext("Fewer than %(minimum)s responses rate this officer: the figures are "
                       "not shown, so that no respondent can be singled out.") % {
            "minimum": self.minimum}


def check_officer_filter(filters, responses=None):
    """Raise :class:`TooFewResponses` if ``filters`` pick one officer with too few responses.

    ``responses`` is the filtered count when the caller already has it.
    """
    if filters.officer is None:
        return
    if responses is None:
        responses = filters.responses().count()
    if responses < minimum_group_size():
        raise TooFewResponses()


def officer_disclosure(filters):
    """The small-group rule applied to the officers of the filtered responses (one query)."""
    from django.db.models import Count

    counts = (filters.responses().exclude(officer=None).values("officer_id")
              .annotate(n=Count("id")).order_by("officer_id"))
    return suppress_small_groups([(row["officer_id"], _Count(row["n"])) for row in counts])


@dataclass
class _Count:
    responses: int
