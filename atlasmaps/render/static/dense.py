"""Dense panels drawn (issue 13): proportional circles per unit with their counts, and zoom insets
with their frame, number and locator box (mapsf's inset idea). What to draw and where is decided
in `atlasmaps.content.dense`; the look comes from the style's `dense:` section."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

from atlasmaps.geo.boxes import overlaps
from atlasmaps.render.static import draw as D
from atlasmaps.render.static import page as PG

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from atlasmaps.content.bilateral import BilateralContent
    from atlasmaps.content.dense import PanelPlan
    from atlasmaps.content.types import LegendSection
    from atlasmaps.geo.projection import Frame
    from atlasmaps.style import Style


def avoid_boxes(cv: PG.Canvas, size: tuple[float, float], north_arrow: bool) -> list[tuple[float, float, float, float]]:
    """The corners of a panel of `size` mm an inset must leave free: its scale bar, its north arrow
    (x, y, w, h mm from the panel's lower-left corner), from the style's margins that `elements` draws them by."""
    st = cv.style
    w, h = size
    out = []
    sb, na = st.scale_bar, st.north_arrow
    if sb.show:
        sw = w * (sb.length_fraction + 2 * sb.margin[0])
        sh = h * 2 * sb.margin[1] + 2 * sb.size_pt / PG.PT_PER_MM
        out.append((w - sw if sb.position.endswith("right") else 0.0,
                    h - sh if sb.position.startswith("upper") else 0.0, sw, sh))
    if north_arrow:
        nw, nh = w * 2 * na.margin[0], h * (na.margin[1] + na.length) + na.size_pt / PG.PT_PER_MM
        out.append((w - nw if st.north_arrow.position.endswith("right") else 0.0,
                    h - nh if st.north_arrow.position.startswith("upper") else 0.0, nw, nh))
    return out


def bilateral_plans(cv: PG.Canvas, bc: BilateralContent, fframe: Frame, fbox: PG.Box, pframe: Frame, pbox: PG.Box,
                    north_arrow: bool) -> tuple[PanelPlan, PanelPlan]:
    """The dense plans of the France panel (metropolitan places, per département) and the partner
    panel (per admin-1 unit), their circles on one scale."""
    from atlasmaps.content import dense
    from atlasmaps.render.static.panels import overseas

    st = cv.style
    metro = bc.french_points.loc[[overseas(o) is None for o in bc.french_points["overseas"]]]
    vmax = max(dense.largest_unit(metro, "unit"), dense.largest_unit(bc.partner_points, "admin1"))
    countries = cv.content.layers["countries"].gdf
    fplan = dense.plan(metro, "unit", cv.content.layers["fr_departements"].gdf, "code", fframe, (fbox.w, fbox.h), st,
                       land=countries.loc[countries["iso_a2"] == "FR"].geometry.values,
                       avoid=avoid_boxes(cv, (fbox.w, fbox.h), north_arrow), vmax=vmax,
                       numbered=cv.numbered_on("france"))
    pplan = partner_plan(cv, bc.partner_points, bc.partner_admin1, bc.partner_outline, pframe, pbox, north_arrow, vmax,
                         first_callout=len(fplan.callouts) + 1)
    return fplan, pplan


def partner_plan(cv: PG.Canvas, points, admin1, outline, frame: Frame, box: PG.Box, north_arrow: bool,
                 vmax: int = 0, first_callout: int = 1) -> PanelPlan:
    """The dense plan of a partner panel (bilateral and country maps): circles per admin-1 unit."""
    from atlasmaps.content import dense

    return dense.plan(points, "admin1", admin1 if len(admin1) else admin1.assign(admin1_id=[], name=[]), "admin1_id",
                      frame, (box.w, box.h), cv.style, land=outline.geometry.values,
                      avoid=avoid_boxes(cv, (box.w, box.h), north_arrow), vmax=vmax, first_callout=first_callout,
                      numbered=cv.numbered_on("partner"))


def dense_legend(cv: PG.Canvas, sections: list[LegendSection], french_symbols_left: bool,
                 france: PanelPlan | None, partner: PanelPlan) -> list[LegendSection]:
    """The legend as the dense plans change it (`france` None on a country map): with an aggregated
    panel, the symbols no longer drawn leave and a section says which mode is used and what the
    circles count; with numbered places, their key."""
    from atlasmaps.content.legend import aggregate_legend, callout_legend, without_aggregated

    plans = [p for p in (france, partner) if p is not None]
    out = list(sections)
    if any(p.aggregated for p in plans):
        vmax = max((p.scale for p in plans), default=1)
        f = france is not None and france.aggregated
        out = without_aggregated(sections, f, partner.aggregated, french_symbols_left)
        out.append(aggregate_legend(cv.style, cv.lang, vmax, france=f, partner=partner.aggregated))
    callouts = [c for p in plans for c in p.callouts]
    if callouts:
        out.append(callout_legend(cv.style, cv.lang, callouts))
    return out


def fit_key(cv: PG.Canvas, france: PanelPlan | None, partner: PanelPlan, col_w: float, max_h: float) -> bool:
    """Keep numbered only the places whose key fits `max_h` mm in a legend column `col_w` mm wide,
    the most important first; True when some were left out (the plans are then made again).

    Why: a key taller than the legend's room runs off the page, and a number the reader cannot
    look up names nothing. The places left out keep their plain label request and, when it fits
    nowhere, are reported with the dropped labels."""
    from atlasmaps.content.legend import callout_legend
    from atlasmaps.render.static import legend as LG

    if not cv.numbered:
        return False
    sides = [(side, plan) for side, plan in (("france", france), ("partner", partner)) if plan is not None]
    names = {(side, idx): name for side, plan in sides for idx, _, name in plan.callouts}
    chosen = set(cv.numbered)
    fixed = [key for key in names if key not in chosen]  # clusters with no room for an inset
    wanted = [key for key in cv.numbered if key in names]
    first = min((n for _, plan in sides for _, n, _ in plan.callouts), default=1)

    def fits(k: int) -> bool:
        keys = [*fixed, *wanted[:k]]
        section = callout_legend(cv.style, cv.lang, [(key, n, names[key]) for n, key in enumerate(keys, first)])
        return LG.section_height(cv.style, section, col_w) <= max_h

    if fits(len(wanted)):
        return False
    lo, hi = 0, len(wanted)
    while lo < hi:  # the longest run of the most important places whose key fits
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid - 1)
    cv.numbered = tuple(wanted[:lo])
    return True


def drop_from_key(cv: PG.Canvas, placed: list, gone: set[int]) -> None:
    """Take the numbers that fitted nowhere out of the key, and number the others again from the first in
    the same order, on the map and in the key: a number never grows, so no label grows into
    another. `placed` are the label placements of the page (labels.Placement)."""
    from atlasmaps.content.legend import key_items, key_text
    from atlasmaps.render.static import legend as LG

    items = key_items(cv.key.text)
    kept = [(n, name) for n, name in items if n not in gone]
    new = {old: k for k, (old, _) in enumerate(kept, min((n for n, _ in items), default=1))}
    for p in placed:
        first = p.request.lines[0] if p.request is not None and p.request.lines else None
        if first is not None and first.role == "callout":
            p.artists[0].set_text(str(new[int(first.text)]))
    LG.rewrite_key(cv, key_text((new[n], name) for n, name in kept))


def circles(cv: PG.Canvas, ax: Axes, plan: PanelPlan, side: str) -> None:
    """The plan's circles, largest first (small ones on top), each with its count. A label may
    cross a circle but never cover its count (the "Paris" label hid the count of a département)."""
    from atlasmaps.render.static.agg import text_size

    d = cv.style.dense
    z = cv.style.zorder.circles
    props = {"fontsize": d.count_size_pt, "color": d.count_color, "fontweight": "bold",
             "zorder": cv.style.zorder.circle_counts}
    renderer = ax.figure.canvas.get_renderer() if plan.circles else None
    for c in plan.circles:
        D.point(ax, c.x, c.y, f"aggregate-{side}-{c.unit}", z, marker="o", markersize=c.size_pt,
                markerfacecolor=d.circle_color, alpha=d.circle_alpha, markeredgecolor=d.circle_edge,
                markeredgewidth=d.circle_edge_width_pt)
        t = ax.text(c.x, c.y, str(c.count), ha="center", va="center", **props)
        t.set_gid(f"aggregate-count-{side}-{c.unit}")
        w, h = text_size(ax, str(c.count), props, renderer)
        px, py = ax.transData.transform((c.x, c.y))
        cv.obstacles.append((px - w / 2, py - h / 2, px + w / 2, py + h / 2))


def under_own_circle(ax: Axes, plan: PanelPlan | None, unit: object, x: float, y: float) -> bool:
    """Whether a place drawn at (x, y) would sit inside the circle of its own unit (Hamburg, Berlin,
    Paris: a unit hardly larger than its town): the circle marks it, so its dot is left off and the
    count stays readable; its name is still written beside it."""
    if plan is None or not plan.circles or not isinstance(unit, str):
        return False
    for c in plan.circles:
        if c.unit == unit:
            (px, py), (cx, cy) = ax.transData.transform([(x, y), (c.x, c.y)])
            return math.hypot(px - cx, py - cy) < c.size_pt / 2 * ax.figure.dpi / 72
    return False


def inset_mark(style: Style, number: int) -> str:
    """The mark of a panel's zoom inset `number` (1, 2...), on its frame and beside its locator box."""
    marks = style.dense.inset_marks
    return marks[number - 1] if number <= len(marks) else str(number)


def insets(cv: PG.Canvas, ax: Axes, box: PG.Box, plan: PanelPlan, side: str,
           draw: Callable[[Axes, Frame, PG.Box, int], None]) -> None:
    """Each inset of the plan in its place in the panel `box`, its locator box on the panel `ax`;
    `draw(ax, frame, box, number)` draws the panel's content at the inset's scale. Labels of the panel
    keep off the insets (`LabelRequest.avoid`)."""
    from matplotlib.patches import Rectangle

    d = cv.style.dense
    st = cv.style
    num = {**D.label_props(st), "fontsize": d.number_size_pt, "color": d.frame_color, "fontweight": "bold"}
    shield: list = []
    renderer = ax.figure.canvas.get_renderer()
    locators = [tuple(ax.transData.transform([(i.frame.xmin, i.frame.ymin), (i.frame.xmax, i.frame.ymax)]).ravel())
                for i in plan.insets]
    marks: list = []
    for k, ins in enumerate(plan.insets):
        f = ins.frame
        loc = Rectangle((f.xmin, f.ymin), f.width, f.height, facecolor="none", edgecolor=d.frame_color,
                        linewidth=d.frame_width_pt, zorder=st.zorder.locators)
        loc.set_gid(f"locator-{side}-{ins.number}")
        ax.add_patch(loc)
        mark = inset_mark(st, ins.number)
        # Beside a corner of its box outside the others' (two locator boxes can overlap): top right
        # first; the last corner when none is free.
        corners = ((f.xmax, f.ymax, "left", "bottom"), (f.xmin, f.ymax, "right", "bottom"),
                   (f.xmax, f.ymin, "left", "top"), (f.xmin, f.ymin, "right", "top"))
        others = [*locators[:k], *locators[k + 1:], *marks]
        for x, y, ha, va in corners:
            t = ax.text(x, y, f" {mark}" if ha == "left" else f"{mark} ", ha=ha, va=va,
                        **{**num, "zorder": st.zorder.locators})
            bb = t.get_window_extent(renderer)
            box_ = (bb.x0, bb.y0, bb.x1, bb.y1)
            if (x, y, ha, va) == corners[-1] or not any(overlaps(box_, o) for o in others):
                break
            t.remove()
        t.set_gid(f"locator-number-{side}-{ins.number}")
        marks.append(box_)
        cv.obstacles.append(box_)  # no label over the mark
        x, y, w, h = ins.box
        ibox = PG.Box(box.x + x, box.y + y, w, h)
        iax = cv.axes(ibox, gid=f"zoom-inset-{side}-{ins.number}")
        draw(iax, f, ibox, ins.number)
        for spine in iax.spines.values():
            spine.set_edgecolor(d.frame_color)
            spine.set_linewidth(d.frame_width_pt)
        n = iax.text(0.02, 0.98, mark, ha="left", va="top", transform=iax.transAxes,
                     **{**num, "zorder": st.zorder.labels + 1})
        n.set_gid(f"zoom-inset-number-{side}-{ins.number}")
        cv.obstacles.append(tuple(iax.transAxes.transform([(0, 0.86), (0.12, 1)]).ravel()))
        bb = iax.get_window_extent()
        shield.append((bb.x0, bb.y0, bb.x1, bb.y1))
    for req in cv.requests:
        if req.ax is ax:
            req.avoid.extend(shield)
