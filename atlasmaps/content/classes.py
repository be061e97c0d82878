"""Choropleth classes, shared by print and web: the one home of the bins, each unit's class and
the legend's class labels ("3 – 5 projets").

The bins come from mapclassify's own classifiers (FisherJenks, Quantiles, EqualInterval: exact and
deterministic, two renders give the same classes); a value's class follows mapclassify's rule
(bins are inclusive upper bounds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from atlasmaps.style import Style


@dataclass(frozen=True)
class Classes:
    """The classes of one choropleth: upper bounds, one colour and one legend label per class."""

    bins: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]

    def colour_of(self, value: float) -> str | None:
        """The fill of a unit with `value` projects (None for no project)."""
        k = class_of(value, self.bins)
        return self.colours[k] if k >= 0 and self.bins else None

    def index_of(self, value: float) -> int:
        """The class index of `value` (-1 for no project or no class)."""
        return class_of(value, self.bins) if self.bins else -1


def classify(values: Sequence[float], scheme: str = "jenks", k: int = 5) -> list[float]:
    """Upper bounds of the classes of `values` (the last is the maximum), for choropleths.

    Jenks uses mapclassify's FisherJenks; quantiles and equal intervals on request. Zeros are
    excluded by callers (they are "no project").
    """
    import warnings

    import numpy as np

    arr = np.asarray([v for v in values if v is not None], dtype=float)
    if arr.size == 0:
        return []
    distinct = np.unique(arr)
    k = max(1, min(k, distinct.size))
    if k == distinct.size:
        return [float(v) for v in distinct]
    scheme = scheme.lower()
    with warnings.catch_warnings():  # "Numba not installed": the pure-Python path is fast enough here
        warnings.simplefilter("ignore", UserWarning)
        import mapclassify

        if scheme in ("jenks", "fisherjenks", "fisher_jenks", "naturalbreaks"):
            bins = mapclassify.FisherJenks(arr, k=k).bins
        elif scheme in ("quantiles", "quantile"):
            bins = mapclassify.Quantiles(arr, k=k).bins
        elif scheme in ("equal_interval", "equalinterval"):
            bins = mapclassify.EqualInterval(arr, k=k).bins
        else:
            raise ValueError(f"unknown classification scheme {scheme!r} (jenks | quantiles | equal_interval)")
    out: list[float] = []
    for b in bins:
        b = float(b)
        if not out or b > out[-1]:
            out.append(b)
    return out


def class_of(value: float, bins: Sequence[float]) -> int:
    """Index of the class of `value` in `bins` (upper bounds, inclusive); -1 for values <= 0."""
    if value is None or value <= 0:
        return -1
    for i, b in enumerate(bins):
        if value <= b:
            return i
    return len(bins) - 1


def class_labels(style: Style, lang: str, bins: Sequence[float], values: Sequence[float]) -> list[str]:
    """"1 – 2 projets", "3 projets"…: each class from the smallest count it holds to its bound."""
    from atlasmaps.content.text import counted

    positive = [v for v in values if v and v > 0]
    if not bins or not positive:
        return []
    lows = [min(positive)] + [int(b) + 1 for b in bins[:-1]]
    out = []
    for lo, hi in zip(lows, bins):
        lo, hi = int(lo), int(hi)
        out.append(counted(style, "legend.class_single", hi, lang, value=hi) if lo >= hi
                   else counted(style, "legend.class", hi, lang, low=lo, high=hi))
    return out


def classes_of(style: Style, lang: str, values: Sequence[float], scheme: str | None = None) -> Classes:
    """The classes of the positive `values` with the style's scheme (or `scheme`), colours and labels."""
    positive = [v for v in values if v and v > 0]
    ch = style.choropleth
    bins = classify(positive, scheme or ch.scheme, ch.k)
    colours = style.choropleth_colors(len(bins)) if bins else []
    return Classes(tuple(bins), tuple(colours), tuple(class_labels(style, lang, bins, positive)))
