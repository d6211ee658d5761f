"""The report's figures (reports/stats.py) at the edges mutation testing found unpinned
(scripts/mutation.sh, issue 10)."""

from decimal import Decimal
from fractions import Fraction

from wagtail_satisfaction.reports.stats import round_percent, share


def test_a_percentage_is_rounded_half_up_to_two_decimals_only_when_shown():
    """1 of 8 satisfied is 12.5% exactly; shown with two decimals, 12.50; 1 of 3 shows
    33.33 and 2 of 3 66.67 (half-up, never truncated); nothing to divide by has no value."""
    assert share(1, 8) == Fraction(25, 2)
    assert share(1, 3, places=2) == Decimal("33.33")
    assert share(2, 3, places=2) == Decimal("66.67")
    assert round_percent(Fraction(1, 8), places=2) == Decimal("0.13")
    assert round_percent(Fraction(1, 8), places=1) == Decimal("0.1")
    assert share(0, 0) is None and share(3, 0, places=2) is None
    assert round_percent(None) is None
