"""The one rule for homonyms, on both sides of the join: the most populous of several places (or
communes) of one name is taken only when it clearly dominates, so that "Frankfurt" is Frankfurt am
Main but "Saint-Denis" (Seine-Saint-Denis or La Réunion) stays a question for the user."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

DOMINANCE = 10  # the largest must have at least this many times the population of the next
# GeoNames lists places of 500+ inhabitants with population 0 when it does not know it: read an
# unknown (zero) population as this floor, so that a big city never "dominates" a place of unknown
# size by less than DOMINANCE × floor.
UNKNOWN_POPULATION_FLOOR = 1_000


def dominant(candidates: Sequence[T], population: Callable[[T], int]) -> T | None:
    """The candidate whose population is at least DOMINANCE times every other's, or None."""
    if len(candidates) < 2:
        return candidates[0] if candidates else None
    ranked = sorted(candidates, key=population, reverse=True)
    first, second = population(ranked[0]), population(ranked[1])
    if first >= DOMINANCE * (second or UNKNOWN_POPULATION_FLOOR):
        return ranked[0]
    return None
