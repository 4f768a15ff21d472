"""A programme's scoring sheet applied to a survey's answers: pure, no database writes.

Each active criterion (``models.Criterion``) tests one survey attribute. A score indicator
adds its weight when its condition holds; a knock-out (syarat wajib) refuses the household
when its condition does not hold, or cannot be judged because the answer is missing
(BSPS household criteria, Permen PUPR 17/PRT/M/2018 Pasal 11; domain.md §6.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kampung.assistance.attributes import (
    ATTRIBUTES,
    answer_display,
    clean_value,
    condition_holds,
    with_derived,
)
from kampung.assistance.models import Criterion, CriterionKind, Operator, Programme
from kampung.core.errors import KampungError

ZERO = Decimal("0")


@dataclass(frozen=True)
class Line:
    """One criterion judged against the answers."""

    code: str
    description: str
    kind: str
    attribute: str
    attribute_label: str
    condition: str
    answer: str
    weight: Decimal
    holds: bool | None

    @property
    def is_knockout(self) -> bool:
        return self.kind == CriterionKind.KNOCKOUT

    @property
    def points(self) -> Decimal:
        return self.weight if (self.holds is True and not self.is_knockout) else ZERO


@dataclass(frozen=True)
class Assessment:
    """The outcome of a sheet: the score, the best score possible, each line, the failed knock-outs."""

    score: Decimal
    max_score: Decimal
    min_score: Decimal
    lines: list[Line] = field(default_factory=list)

    @property
    def met(self) -> list[Line]:
        return [line for line in self.lines if not line.is_knockout and line.holds is True]

    @property
    def indicators(self) -> list[Line]:
        return [line for line in self.lines if not line.is_knockout]

    @property
    def knockouts(self) -> list[Line]:
        return [line for line in self.lines if line.is_knockout]

    @property
    def failed_knockouts(self) -> list[Line]:
        return [line for line in self.lines if line.is_knockout and line.holds is not True]

    @property
    def below_minimum(self) -> bool:
        return self.score < self.min_score

    @property
    def eligible(self) -> bool:
        return not self.failed_knockouts and not self.below_minimum

    def to_json(self) -> dict[str, Any]:
        """What the survey keeps of this assessment (decimals as text)."""
        return {
            "score": str(self.score),
            "max_score": str(self.max_score),
            "min_score": str(self.min_score),
            "lines": [{**asdict(line), "weight": str(line.weight)} for line in self.lines],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Assessment:
        """The assessment a survey kept (see :meth:`to_json`)."""
        return cls(
            score=Decimal(data["score"]),
            max_score=Decimal(data["max_score"]),
            min_score=Decimal(data["min_score"]),
            lines=[Line(**{**line, "weight": Decimal(line["weight"])}) for line in data.get("lines", [])],
        )


def condition_text(criterion: Criterion) -> str:
    """``operator value`` in words, with choice codes shown by their labels."""
    operator = str(Operator(criterion.operator).label) if criterion.operator in Operator.values else ""
    if criterion.operator in (Operator.YES, Operator.NO):
        return operator
    attribute = ATTRIBUTES.get(criterion.attribute)
    if attribute is not None and attribute.choices and criterion.operator in (Operator.IN, Operator.NOT_IN):
        labels = [attribute.choice_label(v.strip()) for v in criterion.value.split(",") if v.strip()]
        return f"{operator}: {', '.join(labels)}"
    unit = f" {attribute.unit}" if attribute is not None and attribute.unit else ""
    return f"{operator} {criterion.value}{unit}".strip()


def assess(
    programme: Programme,
    answers: dict[str, Any],
    *,
    this_year: int | None = None,
    criteria: Iterable[Criterion] | None = None,
) -> Assessment:
    """Judge ``answers`` (cleaned survey answers) against the programme's active criteria.

    ``this_year`` is the year the survey speaks of (for the years since earlier housing aid);
    by default the current year. ``criteria`` may be given to avoid a query (then it should
    already be the active ones in order).
    """
    year = this_year or timezone.localdate().year
    values = with_derived(normalised(answers, this_year=year), this_year=year)
    rows = (
        list(criteria)
        if criteria is not None
        else list(programme.criteria.filter(active=True).order_by("order", "code"))
    )
    lines: list[Line] = []
    score = ZERO
    max_score = ZERO
    for criterion in rows:
        if not criterion.active:
            continue
        answer = values.get(criterion.attribute)
        holds = condition_holds(criterion.operator, criterion.value, answer)
        attribute = ATTRIBUTES.get(criterion.attribute)
        line = Line(
            code=criterion.code,
            description=criterion.description,
            kind=criterion.kind,
            attribute=criterion.attribute,
            attribute_label=attribute.label if attribute is not None else criterion.attribute,
            condition=condition_text(criterion),
            answer=_display(criterion.attribute, answer),
            weight=criterion.weight,
            holds=holds,
        )
        lines.append(line)
        if not line.is_knockout:
            max_score += criterion.weight
            score += line.points
    return Assessment(score=score, max_score=max_score, min_score=programme.min_score, lines=lines)


def normalised(answers: dict[str, Any], *, this_year: int) -> dict[str, Any]:
    """Answers as the survey stores them ("ya" → True, "24" → "24.00"); a value that does not
    read is left out, so a criterion on it counts as not answered."""
    out: dict[str, Any] = {}
    for code, value in answers.items():
        attribute = ATTRIBUTES.get(code)
        if attribute is None or attribute.derived:
            out[code] = value
            continue
        try:
            out[code] = clean_value(attribute, value, this_year=this_year)
        except KampungError:
            continue
    return out


def _display(code: str, value: Any) -> str:
    if code == "tahun_sejak_bantuan" and value == 999:
        return "belum pernah"
    return answer_display(code, value)
