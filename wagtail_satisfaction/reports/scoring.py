"""What one response scores; computed once when it is stored, summed by the database later."""

from dataclasses import dataclass

from ..scales import Scale


@dataclass(frozen=True)
class ResponseScore:
    index_applicable: int = 0  # index answers that are not "not applicable"
    index_satisfied: int = 0  # of those, answers at or above the scale's "satisfied" level
    points: int | None = None  # sum of the 0–2 point indicators (TTHC questionnaires)
    dissatisfied: bool = False  # counts against the Decision 766 ratio


def counts_in_index(question):
    return question.factor.counts_in_index and question.spec.satisfied_from is not None


def is_points(question):
    return question.factor.counts_in_index and question.scale == Scale.POINTS_0_2


def score_answers(answers):
    """Score ``{question: value}`` (value None = not applicable).

    A response is "dissatisfied" (Decision 766/QĐ-TTg) when it rates any index question
    "dissatisfied" or "very dissatisfied", or gives 0 points to any TTHC indicator.
    """
    applicable = satisfied = 0
    points = None
    dissatisfied = False
    for question, value in answers.items():
        if value is None:
            continue
        if counts_in_index(question):
            applicable += 1
            threshold = question.spec.satisfied_from
            satisfied += value >= threshold
            dissatisfied |= value < threshold - 1
        elif is_points(question):
            points = (points or 0) + value
            dissatisfied |= value == 0
    return ResponseScore(applicable, satisfied, points, dissatisfied)
