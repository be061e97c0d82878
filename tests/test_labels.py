"""Label placement of print maps (atlasmaps.render.static.labels), on small synthetic figures."""

from __future__ import annotations

import pytest

from atlasmaps.style import load_style


@pytest.fixture(scope="module")
def style():
    return load_style("quai-dorsay")


def _axes():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 3), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    return ax


def test_a_lone_label_takes_the_first_imhof_position():
    from atlasmaps.render.static.labels import LabelLine, LabelRequest, place_labels

    ax = _axes()
    req = LabelRequest(key="Lyon", ax=ax, x=50, y=50, radius_pt=3, priority=1, lines=[LabelLine("Lyon", {"fontsize": 8})])
    placed, dropped = place_labels([req], [])
    assert dropped == [] and [p.position for p in placed] == ["NE"]


def test_a_label_avoids_an_obstacle_and_is_dropped_when_boxed_in():
    from atlasmaps.render.static.labels import LabelLine, LabelRequest, place_labels, symbol_box

    ax = _axes()
    req = LabelRequest(key="Lyon", ax=ax, x=50, y=50, radius_pt=3, priority=1, lines=[LabelLine("Lyon", {"fontsize": 8})])
    (first,), _ = place_labels([req], [])
    for t in first.artists:
        t.remove()
    (moved,), dropped = place_labels([req], [first.box])  # the NE spot is taken
    assert dropped == [] and moved.position != "NE"
    for t in moved.artists:
        t.remove()
    everywhere = symbol_box(ax, 50, 50, 200)  # an obstacle over the whole frame
    placed, dropped = place_labels([req], [everywhere])
    assert placed == [] and dropped == ["Lyon"]


def test_leaders_are_drawn_only_when_a_label_moves(style):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from atlasmaps.geo.boxes import segment_hits_box
    from atlasmaps.render.static.labels import LabelLine, LabelRequest, Leaders, place_labels, symbol_box

    fig = Figure(figsize=(3, 3), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    # Six symbols in a tight cluster (touching, not covering, each other): not every label can touch its symbol.
    pts = [(50, 50), (54, 50), (50, 54), (46, 50), (50, 46), (54, 54)]
    obstacles = [symbol_box(ax, x, y, 3) for x, y in pts]
    reqs = [LabelRequest(key=f"Place {i}", ax=ax, x=x, y=y, radius_pt=3, priority=10 - i,
                         lines=[LabelLine(f"Place {i}", {"fontsize": 8})]) for i, (x, y) in enumerate(pts)]
    without, dropped_without = place_labels(reqs, obstacles)
    assert dropped_without  # 8 touching positions are not enough
    for p in without:
        for t in p.artists:
            t.remove()
    leaders = Leaders(color="#3A3A3A", width_pt=0.35, step_pt=5, max_distance_pt=45, zorder=6.9)
    placed, dropped = place_labels(reqs, obstacles, leaders=leaders)
    assert dropped == []
    assert any(p.leader is not None for p in placed)
    assert all(p.leader is None for p in placed if "@" not in p.position)
    boxes = [p.box for p in placed]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    for p in placed:
        if p.leader is not None:
            assert not any(segment_hits_box(p.leader, q.box) for q in placed if q is not p)
    # Nothing may move farther than the style allows: dropping stays possible and reported.
    tight = Leaders(color="#3A3A3A", width_pt=0.35, step_pt=5, max_distance_pt=0, zorder=6.9)
    for p in placed:
        for t in p.artists:
            t.remove()
    _, dropped_tight = place_labels(reqs, obstacles, leaders=tight)
    assert dropped_tight




def test_equal_importance_keeps_the_given_order_never_the_alphabet():
    """Two labels of equal importance competing for one spot: the first given wins (issue 13: the
    alphabet is never a criterion; 'Alpha' used to win over 'Zeta')."""
    from atlasmaps.render.static.labels import LabelLine, LabelRequest, place_labels

    ax = _axes()
    reqs = [LabelRequest(key=k, ax=ax, x=50, y=50, radius_pt=3, priority=5, lines=[LabelLine(k, {"fontsize": 8})])
            for k in ("Zeta", "Alpha")]
    placed, _ = place_labels(reqs, [])
    assert {p.key: p.position for p in placed}["Zeta"] == "NE"


def test_a_place_numbered_on_the_page_is_not_named_by_its_short_form(style):
    """A numbered place's label is its number alone: its short name ("Osaka" for "Préfecture
    d'Osaka") would otherwise be tried where the number fits nowhere, set in the number's bold."""
    from types import SimpleNamespace

    from atlasmaps.render.static.labels import LabelLine, LabelRequest
    from atlasmaps.render.static.panels import number_requests

    ax = _axes()
    osaka = LabelRequest(key="Préfecture d'Osaka", ax=ax, x=50, y=50, lines=[LabelLine("Préfecture d'Osaka", {})],
                         short="Osaka", place=("partner", 7))
    kobe = LabelRequest(key="Kobe", ax=ax, x=60, y=50, lines=[LabelLine("Kobe", {})], short="Kō", place=("partner", 8))
    cv = SimpleNamespace(style=style, requests=[osaka, kobe])
    plan = SimpleNamespace(callout=lambda index: {7: 1}.get(index))
    assert number_requests(cv, {"partner": plan})
    numbered, named = cv.requests
    assert [(ln.text, ln.role) for ln in numbered.lines] == [("1", "callout")] and numbered.short is None
    assert named is kobe
