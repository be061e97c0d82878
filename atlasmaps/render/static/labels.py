"""Label placement for print maps: no label over another label, over a symbol, or across the frame.

Why measured extents: a label's size depends on the font the style resolves to, its size and the
text; guessing from character counts either wastes space or overlaps. Each label is measured once
with the figure's renderer, then tried at candidate positions around its symbol, greedily by
importance (content.importance: population, rank, partnerships):

1. the 8 positions touching the symbol, in the cartographic order (Imhof: upper right first);
2. then rings at increasing distances in 16 directions, nearest first; a label moved away from its
   symbol gets a thin leader line (style `place_labels.leader_*`) that crosses no other label;
3. then the same around the request's alternate anchors (an area label may sit anywhere in its area);
4. then all of that again with the label's short form when it has one ("Préfecture d'Osaka" -> "Osaka",
   when the prefecture is already shaded as a zone d'intervention; a zone's key number), then with
   a long name on two lines ("CC de Gémozac et de la / Saintonge Viticole", "Saint-Hilaire- /
   la-Gravelle": broken at the space or hyphen nearest its middle, as atlases set crowded names);
5. when a label still fits nowhere, one placed label in its way may move to make room (one repair);
6. an area whose every anchor lies under other symbols (Hauts-de-Seine under Paris) takes a far
   place whose leader crosses those symbols.

A label that fits nowhere is dropped and returned, so the caller reports it, never silently.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from atlasmaps.content.text import two_lines
from atlasmaps.geo.boxes import (Box, Grid, Segment, candidate_places, clear_mask, extent, first_clear, overlaps,
                                 overlaps_or_touches, reach_of, segment_hits_box, segments_cross)
from atlasmaps.render.static.agg import text_size

if TYPE_CHECKING:
    from matplotlib.axes import Axes

@dataclass
class LabelLine:
    """One line of a label block (a name, or the years below it) with its Text properties."""

    text: str
    props: dict[str, Any] = field(default_factory=dict)
    role: str = "label"  # SVG id prefix of the line: "label-<gid>", "years-<gid>"


@dataclass
class LabelRequest:
    """A label to place next to a symbol at data coordinates (x, y) of `ax`."""

    key: str  # what is reported when the label is dropped ("Kobe")
    ax: Axes
    x: float
    y: float
    lines: list[LabelLine]
    radius_pt: float = 0.0  # half the symbol size: the gap between symbol centre and label
    priority: float = 0.0
    gid: str | None = None
    short: str | None = None  # shorter first line, tried when the full text fits nowhere
    #: Other anchors (data coordinates) tried after (x, y): an area's label may sit anywhere inside
    #: the area, e.g. when its representative point is covered by another label.
    alternates: list[tuple[float, float]] = field(default_factory=list)
    avoid: list[Box] = field(default_factory=list)  # display boxes this label keeps off (zoom insets)
    place: tuple[str, Any] | None = None  # ("france" | "partner", index label): a place a number may name


@dataclass
class Leaders:
    """How labels moved away from their symbol are tied to it (from the style's place_labels)."""

    color: str
    width_pt: float
    max_distance_pt: float  # farthest a label may move from its symbol
    step_pt: float  # distance between two rings of candidates
    zorder: float  # the style's zorder.leaders


@dataclass
class Placement:
    key: str
    position: str
    box: Box
    artists: list[Any]
    leader: Segment | None = None
    request: LabelRequest | None = None


class _Candidate(NamedTuple):
    """One place a label may take (a named tuple: made in C from `candidate_places`' tuples)."""

    name: str
    box: Box
    align: str
    leader: Segment | None
    form: int  # which form of the label: 0 as given, then its short and two-line forms


@dataclass
class _State:
    req: LabelRequest
    #: The first candidates (the places touching the symbol, first form, first anchor) and how to make
    #: the whole list, which starts with them: most labels fit at one of these, and the hundreds of
    #: far places of every form and anchor are made only for the others.
    head: list[_Candidate]
    make: Callable[[], list[_Candidate]] | None
    own: list[Box]  # obstacles that are the label's own symbol (a leader starts there)
    chosen: int | None = None
    #: Other symbols covering an area label's anchors (a tiny département under its city's symbol):
    #: as a last resort its leader may cross them, its text never covers them.
    under: list[Box] = field(default_factory=list)
    through_under: bool = False

    @property
    def candidates(self) -> list[_Candidate]:
        """Every candidate place, preferred first (made on first use)."""
        if self.make is not None:
            self.head, self.make = self.make(), None
        return self.head

    def candidate(self, k: int) -> _Candidate:
        return self.head[k] if k < len(self.head) else self.candidates[k]


def symbol_box(ax: Axes, x: float, y: float, radius_pt: float) -> Box:
    """Display box of a point symbol of radius `radius_pt` at data (x, y)."""
    px, py = ax.transData.transform((x, y))
    r = radius_pt * ax.figure.dpi / 72.0
    return (px - r, py - r, px + r, py + r)


def _candidates(px: float, py: float, r: float, w: float, h: float, frame: Box, px_per_pt: float,
                leaders: Leaders | None, form: int) -> list[_Candidate]:
    far = leaders is not None and leaders.max_distance_pt > 0 and leaders.step_pt > 0
    rings = int(leaders.max_distance_pt // leaders.step_pt) if far else 0
    step = leaders.step_pt * px_per_pt if far else 0.0
    places = candidate_places(px, py, r, w, h, frame, step, rings)
    return list(map(tuple.__new__, repeat(_Candidate), map(operator.add, places, repeat((form,)))))


def place_labels(
    requests: list[LabelRequest],
    obstacles: list[Box],
    *,
    pad_pt: float = 1.0,
    line_gap_pt: float = 0.5,
    leaders: Leaders | None = None,
    wrap_min_chars: int = 0,
) -> tuple[list[Placement], list[str]]:
    """Place labels greedily by priority; return the placements and the keys of dropped labels.

    `obstacles` are display boxes no label (nor leader) may cover (symbols, scale bar, legend,
    insets); each placed label becomes an obstacle for the next. Labels stay inside their axes' box.
    Without `leaders`, labels only take the 8 positions touching their symbol. A name of at least
    `wrap_min_chars` characters (0: none) may also be set on two lines.
    """
    if not requests:
        return [], []
    fig = requests[0].ax.figure
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    pad = pad_pt * px_per_pt
    gap = line_gap_pt * px_per_pt
    fixed: list[Box] = list(obstacles)
    states: list[_State] = []
    forms_of: dict[int, tuple[list[list[tuple[float, float]]], list[list[LabelLine]]]] = {}  # sizes, lines
    dropped: list[str] = []
    # Most important first (content.importance); equal ones in the order given, never alphabetical.
    order = sorted(range(len(requests)), key=lambda i: -requests[i].priority)

    def measure(ax, lines: list[LabelLine]) -> list[tuple[float, float]]:
        """The size of each line (display pixels); the artists are made for the labels placed only."""
        return [text_size(ax, ln.text, ln.props, renderer) for ln in lines]

    def block(sizes) -> tuple[float, float]:
        w = max(s[0] for s in sizes) + 2 * pad
        h = sum(s[1] for s in sizes) + gap * (len(sizes) - 1) + 2 * pad
        return w, h

    fixed_grid = Grid(50 * px_per_pt)
    for n, o in enumerate(fixed):
        fixed_grid.add(n, o)
    placed_grid = Grid(50 * px_per_pt)

    def choose(idx: int, k: int | None) -> None:
        """Record the candidate a label takes (None: none) and keep the grid of placed labels current."""
        placed_grid.remove(idx)
        states[idx].chosen = k
        if k is not None:
            cand = states[idx].candidate(k)
            placed_grid.add(idx, extent(cand.box, cand.leader))

    def free(cand: _Candidate, own: int, ignore: int | None = None) -> bool:
        box = cand.box
        mine = states[own].own
        region = extent(box, cand.leader)
        nearby_fixed = [fixed[n] for n in fixed_grid.near(region)]
        if any(overlaps(box, o) for o in nearby_fixed if o not in mine):
            return False
        if any(overlaps(region, o) for o in states[own].req.avoid):
            return False
        if cand.leader is not None:
            crossable = states[own].under if states[own].through_under else []
            for o in nearby_fixed:
                if o not in mine and o not in crossable and segment_hits_box(cand.leader, o):
                    return False
        for j in placed_grid.near(region):
            st = states[j]
            if j == own or j == ignore or st.chosen is None:
                continue
            other = st.candidate(st.chosen)
            if overlaps(box, other.box):
                return False
            if other.leader is not None and segment_hits_box(other.leader, box):
                return False
            if cand.leader is not None:
                if segment_hits_box(cand.leader, other.box):
                    return False
                if other.leader is not None and segments_cross(cand.leader, other.leader):
                    return False
        return True

    def in_the_way(cand: _Candidate) -> list[int]:
        return placed_grid.near(extent(cand.box, cand.leader))

    def first_free(idx: int, but: int | None) -> int | None:
        """The first candidate of label `idx` but `but` that `free` accepts: its first 8 one by one
        (most labels moved out of the way find a place there), the others at once (boxes.clear_mask,
        the same tests as `free`, against the obstacles within their reach)."""
        st = states[idx]
        cands = st.head if st.make is not None and len(st.head) >= 8 else st.candidates  # the far ones when needed
        k = next((k for k in range(min(8, len(cands))) if k != but and free(cands[k], idx)), None)
        rest = st.candidates[8:] if k is None else []
        if k is not None or not rest:
            return k
        cboxes, clines = [c.box for c in rest], [c.leader for c in rest]
        reach = reach_of(cboxes, clines)
        others = [(c.box, c.leader) for c in (states[j].candidate(states[j].chosen) for j in placed_grid.near(reach)
                                              if j != idx and states[j].chosen is not None)]
        blocking = [o for o in fixed if overlaps_or_touches(o, reach) and o not in st.own]
        crossable = st.under if st.through_under else []
        mask = clear_mask(cboxes, clines, blocking, others, [o for o in blocking if o not in crossable], st.req.avoid)
        if but is not None and but >= 8:
            mask[but - 8] = False
        hit = mask.nonzero()[0]
        return int(hit[0]) + 8 if len(hit) else None

    for i in order:
        req = requests[i]
        ax = req.ax
        lines = [ln for ln in req.lines if ln.text]
        if not lines:
            continue
        frame_bb = ax.get_window_extent(renderer)
        frame: Box = (frame_bb.x0, frame_bb.y0, frame_bb.x1, frame_bb.y1)
        px, py = ax.transData.transform((req.x, req.y))
        anchors = [(px, py), *(tuple(ax.transData.transform(a)) for a in req.alternates)]
        r = req.radius_pt * px_per_pt
        forms = [lines]
        if req.short and req.short != lines[0].text:
            forms.append([LabelLine(req.short, lines[0].props, lines[0].role), *lines[1:]])
        measured = [measure(ax, f) for f in forms]

        def candidates(first: int, measured=list(measured), anchors=anchors, r=r, frame=frame) -> list[_Candidate]:
            """The candidates of the forms from `first` (the values of this label bound now: the full
            list may be made later, while another label is placed)."""
            return [c for form, sizes in enumerate(measured[first:], first) for ax_, ay_ in anchors
                    for c in _candidates(ax_, ay_, r, *block(sizes), frame, px_per_pt, leaders, form)]

        # The label's own symbol: the small obstacle centred on its anchor (touching it is the point).
        slack = 2 * px_per_pt
        own = [o for o in fixed if o[0] <= px <= o[2] and o[1] <= py <= o[3]
               and o[2] - o[0] <= 2 * r + slack and o[3] - o[1] <= 2 * r + slack]
        head = _candidates(px, py, r, *block(measured[0]), frame, px_per_pt, None, 0)
        state = _State(req, head, lambda make=candidates: make(0), own)
        states.append(state)
        forms_of[len(states) - 1] = (measured, forms)
        me = len(states) - 1

        def first_fit(start: int) -> int | None:
            """The first free candidate from `start`: most labels fit at one of their first 8 places,
            tried one by one; the others (hundreds on an Atlas-sized France panel) at once (boxes.first_clear)."""
            cands = state.candidates
            k = next((k for k, cand in enumerate(cands[start:start + 8], start) if free(cand, me)), None)
            rest = cands[start + 8:]
            if k is None and rest:
                cboxes, clines = [c.box for c in rest], [c.leader for c in rest]
                reach = reach_of(cboxes, clines)
                others = [(c.box, c.leader) for c in (states[j].candidate(states[j].chosen)
                                                      for j in placed_grid.near(reach) if states[j].chosen is not None)]
                near = [o for o in (*fixed, *req.avoid) if o not in own and overlaps_or_touches(o, reach)]
                k = first_clear(cboxes, clines, near, others)
                k = None if k is None else k + start + 8
            return k

        k = next((k for k, cand in enumerate(head) if free(cand, me)), None)
        if k is None:
            k = first_fit(0)
        wrapped = two_lines(lines[0].text, wrap_min_chars) if k is None else None
        if wrapped:  # measured only for the labels that need it
            forms.append([LabelLine(wrapped, lines[0].props, lines[0].role), *lines[1:]])
            measured.append(measure(ax, forms[-1]))
            cands = state.candidates
            start = len(cands)
            cands += candidates(len(forms) - 1, measured)
            k = first_fit(start)
        if k is not None:
            choose(me, k)
        if state.chosen is None:
            _repair(states, me, free, choose, in_the_way, first_free)
        if state.chosen is None and req.radius_pt == 0:
            # 6. An area whose every anchor lies under other symbols: a leader from inside it may
            # cross them (the shaded area shows around the symbol), its text still covers nothing.
            state.under = [o for o in fixed if o not in own
                           and all(o[0] <= ax_ <= o[2] and o[1] <= ay_ <= o[3] for ax_, ay_ in anchors)]
            state.through_under = bool(state.under)
            for k, cand in enumerate(state.candidates if state.under else []):
                if cand.leader is not None and free(cand, me):
                    choose(me, k)
                    break
    placed: list[Placement] = []
    for idx, state in enumerate(states):
        measured, forms = forms_of[idx]
        if state.chosen is None:
            dropped.append(state.req.key)
            continue
        cand = state.candidate(state.chosen)
        sizes = measured[cand.form]
        lines = forms[cand.form]
        texts = [state.req.ax.text(0, 0, ln.text, transform=None, **ln.props) for ln in lines]
        placed.append(_draw(state.req, cand, texts, sizes, lines, pad, gap, leaders))
    return placed, dropped


def _repair(states: list[_State], me: int, free, choose, in_the_way, first_free) -> None:
    """Let one placed label in the way move to another of its candidates so `me` fits."""
    state = states[me]
    for k, cand in enumerate(state.candidates):
        if cand.leader is not None:
            continue  # repair is for the places touching the symbol; far places were all tried already
        blockers = []
        for j in in_the_way(cand):
            other = states[j]
            if j == me or other.chosen is None:
                continue
            ob = other.candidate(other.chosen)
            if (overlaps(cand.box, ob.box) or (ob.leader is not None and segment_hits_box(ob.leader, cand.box))
                    or (cand.leader is not None and segment_hits_box(cand.leader, ob.box))
                    or (cand.leader is not None and ob.leader is not None and segments_cross(cand.leader, ob.leader))):
                blockers.append(j)
                if len(blockers) > 1:
                    break
        if len(blockers) != 1 or not free(cand, me, ignore=blockers[0]):
            continue
        j = blockers[0]
        other = states[j]
        old = other.chosen
        choose(me, k)  # take the place, then find the blocker another one
        choose(j, None)
        k2 = first_free(j, but=old)
        if k2 is not None:
            choose(j, k2)
            return
        choose(j, old)
        choose(me, None)


def _draw(req: LabelRequest, cand: _Candidate, texts, sizes, lines, pad: float, gap: float,
          leaders: Leaders | None) -> Placement:
    ax = req.ax
    box, align = cand.box, cand.align
    # Lay the lines top-down inside the box, in figure pixels (transform=None).
    y_top = box[3] - pad
    xs = {"left": box[0] + pad, "right": box[2] - pad, "center": (box[0] + box[2]) / 2}
    for t, (_, th), ln in zip(texts, sizes, lines):
        t.set_horizontalalignment(align)
        t.set_verticalalignment("top")
        t.set_position((xs[align], y_top))
        y_top -= th + gap
        # Fixed pixel positions must follow the data when the figure is saved at another dpi:
        # convert to axes coordinates.
        t.set_transform(ax.transAxes)
        fx, fy = ax.transAxes.inverted().transform(t.get_position())
        t.set_position((fx, fy))
        if req.gid:
            t.set_gid(f"{ln.role}-{req.gid}")
    artists: list[Any] = list(texts)
    if cand.leader is not None and leaders is not None:
        inv = ax.transAxes.inverted()
        (ax0, ay0), (ax1, ay1) = inv.transform([(cand.leader[0], cand.leader[1]), (cand.leader[2], cand.leader[3])])
        (line,) = ax.plot([ax0, ax1], [ay0, ay1], transform=ax.transAxes, color=leaders.color,
                          linewidth=leaders.width_pt, solid_capstyle="butt", zorder=leaders.zorder)
        if req.gid:
            line.set_gid(f"leader-{req.gid}")
        artists.append(line)
    return Placement(req.key, cand.name, box, artists, cand.leader, req)
