"""Answer scales: the values a question accepts and how each is labelled.

Values are small integers stored in ``Answer.value``; "not applicable" is stored as NULL
so that it leaves every denominator (``COUNT(value)`` ignores it).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    SATISFACTION_5 = "satisfaction5", _("Satisfaction, 1–5")
    POINTS_0_2 = "points0_2", _("TTHC indicator, 0–2 points")
    YES_NO = "yes_no", _("Yes / no")
    EXPECTATION_3 = "expectation3", _("Expectation, 3 levels")


@dataclass(frozen=True)
class ScaleSpec:
    choices: tuple  # ((value, label), ...) in display order
    allows_not_applicable: bool
    satisfied_from: int | None = None  # answers >= this count as "satisfied"

    @property
    def values(self):
        return {value for value, _label in self.choices}


SCALES = {
    Scale.SATISFACTION_5: ScaleSpec(
        choices=(
            (1, _("Very dissatisfied")),
            (2, _("Dissatisfied")),
            (3, _("Neutral")),
            (4, _("Satisfied")),
            (5, _("Very satisfied")),
        ),
        allows_not_applicable=True,
        satisfied_from=4,
    ),
    Scale.POINTS_0_2: ScaleSpec(
        choices=((2, _("2 points")), (1, _("1 point")), (0, _("0 points"))),
        allows_not_applicable=False,
    ),
    Scale.YES_NO: ScaleSpec(
        choices=((1, _("Yes")), (0, _("No"))),
        allows_not_applicable=False,
    ),
    Scale.EXPECTATION_3: ScaleSpec(
        choices=((3, _("Very much")), (2, _("Much")), (1, _("A little"))),
        allows_not_applicable=False,
    ),
}

NOT_APPLICABLE = "na"
NOT_APPLICABLE_LABEL = _("Not applicable / no answer")


def get_scale(scale):
    return SCALES[Scale(scale)]
